import Foundation
import GroundCore
import XCTest

final class ExtractorTests: XCTestCase {
    /// The posterior mode is never beaten by a dense grid (≥ 200 points per frame): its log density
    /// is at least the grid's best (to 1e-9), it lies within one grid step of a unique grid argmax,
    /// and modes are non-decreasing in i.
    func testPosteriorModeAgainstBruteForce() {
        var generator = SplitMix64(seed: 42)
        let cases: [(frames: Int, events: Int)] = [
            (1, 1), (1, 3), (2, 2), (5, 1), (7, 4), (30, 10), (120, 50), (400, 17), (2_000, 50), (2_000, 1),
        ]
        for (frames, n) in cases {
            // Intensities spanning several orders of magnitude, with a few sharp peaks.
            let logs = (0..<frames).map { _ -> Float in
                Float(generator.nextUnitDouble() * 6 - 3 + (generator.next() % 10 == 0 ? 4 : 0))
            }
            let posterior = PosteriorMode(logIntensity: logs)
            let pointsPerFrame = frames > 500 ? 200 : 400
            let step = 1 / Double(pointsPerFrame)
            var previous = -Double.infinity
            for i in 1...n {
                let t = posterior.mode(event: i, of: n)
                XCTAssertGreaterThanOrEqual(t, 0)
                XCTAssertLessThanOrEqual(t, Double(frames))
                XCTAssertGreaterThanOrEqual(t, previous - 1e-9, "modes must not decrease (T=\(frames), n=\(n), i=\(i))")
                previous = t
                var gridBest = -Double.infinity, gridArg = 0.0, secondBest = -Double.infinity
                for g in 0...(frames * pointsPerFrame) {
                    // Stay strictly inside the support: the endpoints can be −∞ for 1 < i < n.
                    let x = min(Double(frames) - 1e-12, Double(g) * step)
                    let value = posterior.logDensity(x, event: i, of: n)
                    if value > gridBest {
                        secondBest = gridBest
                        gridBest = value
                        gridArg = x
                    } else if value > secondBest {
                        secondBest = value
                    }
                }
                let found = posterior.logDensity(min(t, Double(frames) - 1e-12), event: i, of: n)
                XCTAssertGreaterThanOrEqual(found, gridBest - 1e-9, "T=\(frames) n=\(n) i=\(i)")
                if n > 1, gridBest - secondBest > 1e-6 {
                    XCTAssertEqual(t, gridArg, accuracy: step + 1e-9, "T=\(frames) n=\(n) i=\(i)")
                }
            }
        }
    }

    /// n = 1: the centre of the most intense frame.
    func testSingleEventIsCentreOfBestFrame() {
        let posterior = PosteriorMode(logIntensity: [0, 1, 5, 2, 0])
        XCTAssertEqual(posterior.mode(event: 1, of: 1), 2.5)
        XCTAssertEqual(posterior.expectedCount, [0, 1, 5, 2, 0].map { exp(Double($0)) }.reduce(0, +), accuracy: 1e-9)
    }

    /// Sub-frame precision: with uniform intensity the i-th of n events sits at its Beta mode,
    /// (i − 1)/(n − 1) of the way through the clip.
    func testUniformIntensityGivesEvenlySpacedModes() {
        let posterior = PosteriorMode(logIntensity: [Float](repeating: 0.3, count: 10))
        for i in 1...5 {
            XCTAssertEqual(posterior.mode(event: i, of: 5), Double(i - 1) / 4 * 10, accuracy: 1e-9)
        }
    }

    func testNotBeforeRestrictsTheSearch() {
        let posterior = PosteriorMode(logIntensity: [5, 0, 0, 3, 0])
        XCTAssertEqual(posterior.mode(event: 1, of: 1), 0.5)
        XCTAssertEqual(posterior.mode(event: 1, of: 1, notBefore: 1.2), 3.5)
        XCTAssertEqual(posterior.mode(event: 1, of: 1, notBefore: 3.6), 3.8, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(posterior.mode(event: 2, of: 3, notBefore: 2.5), 2.5)
    }

    func testConfidenceIsAProbability() {
        let sharp = PosteriorMode(logIntensity: [-20, -20, 10, -20, -20])
        XCTAssertEqual(sharp.confidence(at: 2.5, event: 1, of: 1), 1, accuracy: 1e-6)
        let flat = PosteriorMode(logIntensity: [Float](repeating: 0, count: 100))
        XCTAssertEqual(flat.confidence(at: 50, event: 1, of: 1), 0.02, accuracy: 1e-9)
        let c = flat.confidence(at: 30, event: 2, of: 3)
        XCTAssertGreaterThan(c, 0)
        XCTAssertLessThan(c, 1)
    }

    /// Top-k agrees with sorting (ties to the earlier frame) and returns frames in time order.
    func testTopKMatchesSort() {
        var generator = SplitMix64(seed: 9)
        for count in [1, 5, 100, 1_000] {
            let scores = (0..<count).map { _ in Float(generator.next() % 50) }  // many ties
            for k in [0, 1, 3, count / 2, count, count + 2] {
                let expected = scores.indices.sorted { (scores[$0], -$0) > (scores[$1], -$1) }.prefix(max(0, min(k, count))).sorted()
                let got = scores.withUnsafeBufferPointer { TopK.frames(scores: $0.baseAddress!, count: count, k: k) }
                XCTAssertEqual(got, Array(expected), "count \(count) k \(k)")
            }
        }
        let times = [Float](arrayLiteral: 0.1, 0.9, 0.2, 0.8).withUnsafeBufferPointer { TopK.times(scores: $0.baseAddress!, count: 4, k: 2) }
        XCTAssertEqual(times, [1.5, 3.5])
    }
}

final class GuidedPeaksTests: XCTestCase {
    /// Each word takes the best frame near its anchor, not a higher peak elsewhere.
    func testPeakWithinWindowOnly() {
        var scores = [Float](repeating: -5, count: 40)
        scores[10] = 1; scores[12] = 0.5; scores[30] = 9  // 30 is stronger but 8+ frames from anchor 2's window
        scores[21] = 2
        let positions = GuidedPeaks.positions(scores: scores, anchors: [11, 20], window: 2)
        XCTAssertEqual(Int(positions[0]), 10)
        XCTAssertEqual(Int(positions[1]), 21)
    }

    /// Positions never decrease, even when anchors cross or windows overlap.
    func testMonotone() {
        var scores = [Float](repeating: 0, count: 20)
        scores[9] = 3
        let positions = GuidedPeaks.positions(scores: scores, anchors: [9, 7, 8], window: 2)
        XCTAssertEqual(positions, positions.sorted())
        XCTAssertGreaterThanOrEqual(positions[1], positions[0])
        let bounded = GuidedPeaks.positions(scores: scores, anchors: [3], window: 2, notBefore: [15.2])
        XCTAssertGreaterThanOrEqual(bounded[0], 15.2)
    }

    /// With a prior, the window moves ℓ frames earlier than the anchor and the prior breaks near-ties
    /// of the head: P_i(t + ℓ) favours frame 14 over the head's slightly higher frame 12.
    func testAnchorPrior() {
        var scores = [Float](repeating: -5, count: 30)
        scores[12] = 1.1; scores[14] = 1; scores[17] = 4  // 17 is in the unshifted window only
        let probability = { (_: Int, frame: Int) -> Double in frame == 15 ? 0.9 : 0.01 }
        let withPrior = GuidedPeaks.positions(
            scores: scores, anchors: [15], window: 2, prior: .init(weight: 0.15, lag: 1, probability: probability))
        XCTAssertEqual(Int(withPrior[0]), 14)
        XCTAssertEqual(Int(GuidedPeaks.positions(scores: scores, anchors: [15], window: 2)[0]), 17)
        // A weightless prior with no lag is the plain search.
        let weightless = GuidedPeaks.positions(
            scores: scores, anchors: [15], window: 2, prior: .init(weight: 0, lag: 0, probability: probability))
        XCTAssertEqual(weightless, GuidedPeaks.positions(scores: scores, anchors: [15], window: 2))
    }

    /// Sub-frame refinement recovers the vertex of a sampled parabola: s(t) = −(t + 0.5 − c)²
    /// sampled at frame centres peaks at c.
    func testParabolaVertex() {
        for centre in [10.1, 10.5, 10.9, 11.3] {
            let scores = (0..<30).map { Float(-pow(Double($0) + 0.5 - centre, 2)) }
            let position = GuidedPeaks.positions(scores: scores, anchors: [11], window: 3)[0]
            XCTAssertEqual(position, centre, accuracy: 1e-4, "centre \(centre)")
        }
        // Two equal frames: the vertex lies on their shared edge. A convex neighbourhood stays at
        // the frame centre; the first and last frames too.
        XCTAssertEqual(GuidedPeaks.positions(scores: [0, 1, 1, 0], anchors: [1], window: 0)[0], 2.0)
        XCTAssertEqual(GuidedPeaks.positions(scores: [0, -1, 0], anchors: [1], window: 0)[0], 1.5)
        XCTAssertEqual(GuidedPeaks.positions(scores: [3, 1, 0], anchors: [0], window: 1)[0], 0.5)
    }
}
