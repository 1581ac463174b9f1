import Foundation

/// Speed of timestamp extraction on long audio: all n posterior modes (eqs. 6–8) with their
/// confidences, and top-k, on T frames of random intensities with n peaks.
public enum ExtractionBenchmark {
    public struct Result: Sendable {
        public var frames: Int
        public var events: Int
        public var posteriorModeSeconds: Double
        public var confidenceSeconds: Double
        public var topKSeconds: Double
        /// Time of evaluating every frame for each event (no pruning), extrapolated from
        /// `naiveSampleEvents` events to all of them.
        public var naiveSeconds: Double
    }

    static let naiveSampleEvents = 50

    public static func run(frames: Int = 90_000, events: Int = 10_000, seed: UInt64 = 1) -> Result {
        var generator = SplitMix64(seed: seed)
        // Background noise in log λ with one sharp peak per event, like a trained head's output.
        var logs = (0..<frames).map { _ in Float(-6 + 2 * generator.nextUnitDouble()) }
        for _ in 0..<events { logs[Int(generator.next() % UInt64(frames))] += 8 }
        let (posterior, setup) = ResourceUsage.time { PosteriorMode(logIntensity: logs) }
        let (modes, modeSeconds) = ResourceUsage.time { (1...events).map { posterior.mode(event: $0, of: events) } }
        let (_, confidenceSeconds) = ResourceUsage.time {
            modes.enumerated().map { posterior.confidence(at: $1, event: $0 + 1, of: events) }
        }
        let (_, topKSeconds) = ResourceUsage.time {
            logs.withUnsafeBufferPointer { TopK.frames(scores: $0.baseAddress!, count: frames, k: events) }
        }
        // The unpruned search: the best point of every frame (log λ_k + f(clamp(z*))) for each event.
        let sample = min(events, naiveSampleEvents)
        let (_, naiveSample) = ResourceUsage.time {
            var checksum = 0.0
            for i in 1...sample {
                let event = 1 + (i - 1) * events / sample
                var best = -Double.infinity
                for k in 0..<frames {
                    best = max(best, posterior.logDensity(Double(k) + 0.5, event: event, of: events))
                }
                checksum += best
            }
            return checksum
        }
        return Result(
            frames: frames, events: events, posteriorModeSeconds: setup + modeSeconds, confidenceSeconds: confidenceSeconds,
            topKSeconds: topKSeconds, naiveSeconds: naiveSample * Double(events) / Double(sample))
    }
}
