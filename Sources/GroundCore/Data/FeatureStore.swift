import Foundation

/// Log-mel features of many utterances, computed once (decoding and resampling in parallel)
/// and kept in memory for training and evaluation.
public final class FeatureStore: @unchecked Sendable {
    public let utterances: [Utterance]
    public let features: [FeatureMatrix]
    public let config: FeatureConfig

    /// - Parameter progress: called with (done, total) after each utterance.
    public init(utterances: [Utterance], config: FeatureConfig, threads: Int, progress: ((Int, Int) -> Void)? = nil) throws {
        self.utterances = utterances
        self.config = config
        let extractor = try LogMelExtractor(config: config)
        var results = [Result<FeatureMatrix, Error>?](repeating: nil, count: utterances.count)
        let lock = NSLock()
        var done = 0
        var next = 0
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: max(1, threads)) { _ in
                while true {
                    lock.lock()
                    let index = next
                    next += 1
                    lock.unlock()
                    guard index < utterances.count else { return }
                    let result = Result {
                        try extractor.features(of: AudioFile.load(path: utterances[index].audioPath, sampleRate: config.sampleRate))
                    }
                    lock.lock()
                    slots[index] = result
                    done += 1
                    let count = done
                    lock.unlock()
                    progress?(count, utterances.count)
                }
            }
        }
        features = try results.map { try $0!.get() }
    }

    public var count: Int { utterances.count }

    /// Audio seconds in the store.
    public var seconds: Double {
        features.reduce(0) { $0 + Double($1.frames) * config.frameDuration }
    }
}
