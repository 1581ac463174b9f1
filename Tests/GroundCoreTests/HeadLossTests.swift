import Foundation
import GroundCore
import XCTest

/// Gradient checks for the two frame losses: analytic ∂ℒ/∂z against central differences in
/// Double (the losses accumulate in Double, so ε = 1e-3 on Float inputs gives ~1e-5 agreement).
final class HeadLossTests: XCTestCase {
    typealias Loss = (UnsafePointer<Float>, Int, [Double], UnsafeMutablePointer<Float>?) -> Double

    let poisson: Loss = { PoissonHead.loss(logIntensity: $0, frames: $1, events: $2, gradient: $3) }
    let poissonWithCount: Loss = {
        PoissonHead.loss(logIntensity: $0, frames: $1, events: $2, countWeight: 0.7, gradient: $3)
    }
    let binary: Loss = { BinaryHead.loss(logits: $0, frames: $1, events: $2, gradient: $3) }

    func checkGradient(_ loss: Loss, frames: Int, events: [Double], seed: UInt64, line: UInt = #line) {
        var generator = SplitMix64(seed: seed)
        var z = (0..<frames).map { _ in Float(generator.nextUnitDouble() * 8 - 4) }
        var gradient = [Float](repeating: 0, count: frames)
        _ = z.withUnsafeBufferPointer { zp in gradient.withUnsafeMutableBufferPointer { loss(zp.baseAddress!, frames, events, $0.baseAddress!) } }
        let epsilon: Float = 1e-3
        for t in 0..<frames {
            let saved = z[t]
            z[t] = saved + epsilon
            let plus = z.withUnsafeBufferPointer { loss($0.baseAddress!, frames, events, nil) }
            z[t] = saved - epsilon
            let minus = z.withUnsafeBufferPointer { loss($0.baseAddress!, frames, events, nil) }
            z[t] = saved
            let numeric = (plus - minus) / Double(2 * epsilon)
            XCTAssertEqual(Double(gradient[t]), numeric, accuracy: 2e-3 * max(1, abs(numeric)), "frame \(t)", line: line)
        }
    }

    func testPoissonGradient() {
        checkGradient(poisson, frames: 1, events: [0.3], seed: 1)
        checkGradient(poisson, frames: 20, events: [7.2], seed: 2)
        checkGradient(poisson, frames: 20, events: [0, 0.5, 3.3, 3.9, 12.1, 19.99], seed: 3)  // first and last frame, shared frames
        checkGradient(poisson, frames: 50, events: [-1, 60], seed: 4)  // clamped to the edges
        checkGradient(poissonWithCount, frames: 20, events: [0, 3.3, 19.99], seed: 9)
        checkGradient(poissonWithCount, frames: 20, events: [], seed: 10)  // word absent: push Λ down
    }

    func testBinaryGradient() {
        checkGradient(binary, frames: 1, events: [0.3], seed: 5)
        checkGradient(binary, frames: 20, events: [7.2], seed: 6)
        checkGradient(binary, frames: 20, events: [0, 3.3, 3.9, 19.99], seed: 7)
        checkGradient(binary, frames: 20, events: [], seed: 8)
    }

    /// Eq. 5 by hand: λ = (1, 2, 1), one event in frame 1 ⇒ ℒ = −log 2 + log 4 = log 2.
    func testPoissonLossByHand() {
        let logs: [Float] = [0, Float(log(2.0)), 0]
        let loss = logs.withUnsafeBufferPointer { PoissonHead.loss(logIntensity: $0.baseAddress!, frames: 3, events: [1.5], gradient: nil) }
        XCTAssertEqual(loss, log(2), accuracy: 1e-6)
        // Log-sum-exp keeps huge logits finite over a long clip.
        let huge = [Float](repeating: 80, count: 90_000)
        let value = huge.withUnsafeBufferPointer { PoissonHead.loss(logIntensity: $0.baseAddress!, frames: 90_000, events: [10, 20], gradient: nil) }
        XCTAssertEqual(value, 2 * log(90_000), accuracy: 1e-6)
    }

    /// Class weights on a hand example: 2 positive frames out of 10 ⇒ w⁺ = 8 / 2 = 4, and the loss
    /// at z = 0 is (1/10)(2 · 4 · log 2 + 8 · log 2) = 1.6 log 2.
    func testBinaryClassWeightByHand() {
        let labels = BinaryHead.labels(events: [1.2, 6.9, 6.1], frames: 10)
        XCTAssertEqual(labels, [0, 1, 0, 0, 0, 0, 1, 0, 0, 0])
        XCTAssertEqual(BinaryHead.positiveWeight(labels: labels), 4)
        let zeros = [Float](repeating: 0, count: 10)
        let loss = zeros.withUnsafeBufferPointer { BinaryHead.loss(logits: $0.baseAddress!, frames: 10, events: [1.2, 6.9], gradient: nil) }
        XCTAssertEqual(loss, 1.6 * log(2), accuracy: 1e-9)
        let extreme: [Float] = [-1_000, 1_000]
        let finite = extreme.withUnsafeBufferPointer { BinaryHead.loss(logits: $0.baseAddress!, frames: 2, events: [0.5], gradient: nil) }
        XCTAssertEqual(finite, 2_000 / 2, accuracy: 1e-6)  // both frames wrong by 1000: stable, not inf
    }
}

final class CTCTests: XCTestCase {
    /// ∂ℒ/∂z against central differences, with repeated labels and a tight fit (T = U + repeats).
    func testGradient() {
        for (frames, classes, labels) in [(6, 4, [1, 2, 2]), (4, 3, [1, 1]), (12, 5, [3, 1, 4, 1]), (3, 3, [2]), (5, 3, [])] {
            var generator = SplitMix64(seed: UInt64(frames * 31 + classes))
            var z = (0..<(frames * classes)).map { _ in Float(generator.nextUnitDouble() * 4 - 2) }
            var gradient = [Float](repeating: 0, count: z.count)
            let value = z.withUnsafeBufferPointer { zp in
                gradient.withUnsafeMutableBufferPointer { CTCHead.loss(logits: zp.baseAddress!, frames: frames, classes: classes, labels: labels, gradient: $0.baseAddress!) }
            }
            XCTAssertTrue(value.isFinite)
            for i in 0..<z.count {
                let saved = z[i]
                z[i] = saved + 1e-3
                let plus = z.withUnsafeBufferPointer { CTCHead.loss(logits: $0.baseAddress!, frames: frames, classes: classes, labels: labels, gradient: nil) }
                z[i] = saved - 1e-3
                let minus = z.withUnsafeBufferPointer { CTCHead.loss(logits: $0.baseAddress!, frames: frames, classes: classes, labels: labels, gradient: nil) }
                z[i] = saved
                XCTAssertEqual(Double(gradient[i]), (plus - minus) / 2e-3, accuracy: 2e-3, "T=\(frames) labels \(labels) index \(i)")
            }
        }
    }

    /// By hand: two frames, uniform over {∅, a}; paths for "a" are a∅, ∅a, aa ⇒ P = 3/4.
    func testLossByHand() {
        let z = [Float](repeating: 0, count: 4)
        let value = z.withUnsafeBufferPointer { CTCHead.loss(logits: $0.baseAddress!, frames: 2, classes: 2, labels: [1], gradient: nil) }
        XCTAssertEqual(value, -log(0.75), accuracy: 1e-12)
        // "aa" needs a blank between the two a's: 3 frames at least.
        let short = z.withUnsafeBufferPointer { CTCHead.loss(logits: $0.baseAddress!, frames: 2, classes: 2, labels: [1, 1], gradient: nil) }
        XCTAssertEqual(short, .infinity)
    }
}
