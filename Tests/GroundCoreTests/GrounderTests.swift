import Foundation
import GroundCore
import XCTest

final class GrounderTests: XCTestCase {
    /// Two frame grids: each start is the mean of grid 0's and the 20 ms-shifted grid's estimate
    /// when they agree within a frame, else grid 0's; starts stay in order.
    func testTwoFrameGridsAverageAgreeingEstimates() throws {
        let grounder = try Grounder(model: GroundingModel(config: ModelConfig.preset("tiny")!, seed: 3), name: "tiny")
        let audio = try AudioFile.load(path: Paths.fixture("speech-16k-mono.wav"), sampleRate: grounder.extractor.config.sampleRate)
        let features = try grounder.extractor.features(of: audio)
        let task = GroundingTask.transcript(words: ["how", "much", "wood", "would", "a", "woodchuck"])
        grounder.frameGrids = 1
        let first = try grounder.ground(features: features, duration: audio.duration, task: task, file: "x")
        let shift = 2 * grounder.extractor.config.frameDuration  // 2 of 4 log-mel frames: 20 ms
        let trimmed = FeatureMatrix(
            values: Array(features.values[(2 * features.bins)...]), frames: features.frames - 2, bins: features.bins)
        let second = try grounder.ground(features: trimmed, duration: audio.duration - shift, task: task, file: "x", timeOffset: shift)
        grounder.frameGrids = 2
        let averaged = try grounder.ground(features: features, duration: audio.duration, task: task, file: "x")
        var previous = -Double.infinity, agreeing = 0
        for (i, stamp) in averaged.timestamps.enumerated() {
            let a = first.timestamps[i].start, b = second.timestamps[i].start
            let agree = abs(a - b) <= 0.04
            if agree { agreeing += 1 }
            let expected = max(previous, agree ? (a + b) / 2 : a)
            XCTAssertEqual(stamp.start, expected, accuracy: 1e-9, "word \(i)")
            XCTAssertGreaterThanOrEqual(stamp.end, stamp.start)
            previous = stamp.start
        }
        XCTAssertGreaterThan(agreeing, 0, "the test should exercise averaging")
    }
}

final class DistinctOccurrencesTests: XCTestCase {
    /// An answer starting inside the previous answer is dropped; touching or later ones stay, in time order.
    func testOverlappingAnswersAreOneOccurrence() {
        func stamp(_ start: Double, _ end: Double) -> GroundingResult.Timestamp { .init(word: "w", start: start, end: end, score: 1) }
        let kept = Grounder.distinctOccurrences([stamp(2.0, 2.3), stamp(0.44, 0.68), stamp(0.48, 0.72), stamp(0.68, 0.9)])
        XCTAssertEqual(kept.map(\.start), [0.44, 0.68, 2.0])
        XCTAssertEqual(Grounder.distinctOccurrences([]).count, 0)
    }
}
