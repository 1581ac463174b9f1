import Foundation

/// The floor a model must beat: energy-based speech detection, then the words spread over the
/// speech in proportion to their character counts (+1 for the gap). It knows the transcript
/// and the audio's loudness, nothing else.
public enum NoLearningBaseline {
    /// Predicted (start, end) for each word, in seconds.
    public static func align(words: [String], features: FeatureMatrix, frameDuration: Double) -> [(Double, Double)] {
        guard !words.isEmpty, features.frames > 0 else { return [] }
        // Frame energy = mean log-mel; speech = frames within 20 nats... of the loudest, using a
        // threshold halfway between the 10th and 90th percentiles.
        let energy = (0..<features.frames).map { j in features.row(j).reduce(0, +) / Float(features.bins) }
        let sorted = energy.sorted()
        let low = sorted[sorted.count / 10], high = sorted[min(sorted.count - 1, sorted.count * 9 / 10)]
        let threshold = (low + high) / 2
        let first = energy.firstIndex { $0 > threshold } ?? 0
        let last = energy.lastIndex { $0 > threshold } ?? (features.frames - 1)
        let start = Double(first) * frameDuration, end = Double(last + 1) * frameDuration
        let weights = words.map { Double($0.count + 1) }
        let total = weights.reduce(0, +)
        var cursor = start
        return weights.map { weight in
            let length = (end - start) * weight / total
            defer { cursor += length }
            return (cursor, cursor + length * Double(weight - 1) / weight)
        }
    }

    /// Chance for the query task: the probability that a uniformly chosen word onset of the
    /// utterance lies within `tolerance` of the reference start.
    public static func chance(reference: Double, onsets: [Double], tolerance: Double) -> Double {
        guard !onsets.isEmpty else { return 0 }
        return Double(onsets.filter { abs($0 - reference) <= tolerance + 1e-9 }.count) / Double(onsets.count)
    }
}
