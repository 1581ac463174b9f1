import Foundation

/// Runs a model over utterances with known word times and reports the paper's metrics (§3.3)
/// per task, next to the no-learning baseline and a control that shows whether the model reads
/// the text: the same audio with the transcript replaced by random words of the same count.
public struct Evaluator {
    public struct TaskReport: Sendable {
        public var starts = TimingMetrics()
        public var ends = TimingMetrics()
        /// Starts by words per transcript (Table 3 buckets) and by clip duration.
        public var startsByWords: [String: TimingMetrics] = [:]
        public var startsByDuration: [String: TimingMetrics] = [:]
    }

    public struct Report: Sendable {
        public var utterances = 0
        public var transcript = TaskReport()
        public var query = TaskReport()
        /// Transcript task with random words in place of the transcript (same audio, same count).
        public var randomWordsControl = TimingMetrics()
        public var baselineTranscript = TimingMetrics()
        /// Expected shares within 20/40/100 ms of picking a random word onset for a query.
        public var queryChance = (within20: 0.0, within40: 0.0, within100: 0.0)
        /// `--occurrence all` for a random word of each utterance: how often the reported number
        /// of occurrences is the true one, and the starts of those answers, in order.
        public var allOccurrences = (queries: 0, exactCount: 0)
        public var allOccurrencesStarts = TimingMetrics()
        public var seconds = 0.0
    }

    public let grounder: Grounder
    public let lexicon: [String]
    public let seed: UInt64

    public init(grounder: Grounder, lexicon: [String], seed: UInt64 = 1) {
        self.grounder = grounder
        self.lexicon = lexicon
        self.seed = seed
    }

    static func wordBucket(_ n: Int) -> String {
        switch n {
        case ..<6: return "1-5 words"
        case 6..<11: return "6-10 words"
        case 11..<21: return "11-20 words"
        case 21..<41: return "21-40 words"
        default: return "41+ words"
        }
    }

    static func durationBucket(_ seconds: Double) -> String {
        switch seconds {
        case ..<5: return "0-5 s"
        case 5..<15: return "5-15 s"
        case 15..<30: return "15-30 s"
        case 30..<60: return "30-60 s"
        default: return "60+ s"
        }
    }

    /// Evaluates every usable utterance of `store` (words all in the alphabet).
    public func evaluate(_ store: FeatureStore, progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        var report = Report()
        var generator = SplitMix64(seed: seed)
        let frameDuration = grounder.model.config.features.frameDuration
        let start = Date()
        var chance = (0.0, 0.0, 0.0)
        for (index, (utterance, features)) in zip(store.utterances, store.features).enumerated() {
            progress?(index, store.count)
            guard !utterance.words.isEmpty, utterance.hasOnlyKnownWords else { continue }
            report.utterances += 1
            let words = utterance.words
            let duration = Double(features.frames) * frameDuration

            // Transcript task.
            let aligned = try grounder.ground(
                features: features, duration: duration, task: .transcript(words: words.map(\.word)), file: utterance.id)
            for (predicted, reference) in zip(aligned.timestamps, words) {
                report.transcript.starts.add(predicted: predicted.start, reference: reference.start)
                report.transcript.ends.add(predicted: predicted.end, reference: reference.end)
                report.transcript.startsByWords[Self.wordBucket(words.count), default: TimingMetrics()]
                    .add(predicted: predicted.start, reference: reference.start)
                report.transcript.startsByDuration[Self.durationBucket(duration), default: TimingMetrics()]
                    .add(predicted: predicted.start, reference: reference.start)
            }

            // Control: random words, same count, same audio.
            let random = words.map { _ in lexicon.isEmpty ? "the" : lexicon[Int(generator.next() % UInt64(lexicon.count))] }
            let control = try grounder.ground(features: features, duration: duration, task: .transcript(words: random), file: utterance.id)
            for (predicted, reference) in zip(control.timestamps, words) {
                report.randomWordsControl.add(predicted: predicted.start, reference: reference.start)
            }

            // Baseline.
            for ((predicted, _), reference) in zip(
                NoLearningBaseline.align(words: words.map(\.word), features: features, frameDuration: frameDuration), words)
            {
                report.baselineTranscript.add(predicted: predicted, reference: reference.start)
            }

            // Query task: the first occurrence of a random word of the utterance.
            let target = words[Int(generator.next() % UInt64(words.count))]
            let first = words.first { $0.word == target.word }!
            let found = try grounder.ground(
                features: features, duration: duration, task: .wordQuery(query: target.word, occurrence: .index(1)),
                file: utterance.id)
            if let stamp = found.timestamps.first {
                report.query.starts.add(predicted: stamp.start, reference: first.start)
                report.query.ends.add(predicted: stamp.end, reference: first.end)
                report.query.startsByDuration[Self.durationBucket(duration), default: TimingMetrics()]
                    .add(predicted: stamp.start, reference: first.start)
            }
            // Every occurrence: its own generator, so the draws above match runs made before it.
            var allGenerator = SplitMix64(seed: seed &+ 0xA11 &+ UInt64(index))
            let word = words[Int(allGenerator.next() % UInt64(words.count))].word
            let occurrences = words.filter { $0.word == word }
            let every = try grounder.ground(
                features: features, duration: duration, task: .wordQuery(query: word, occurrence: .all), file: utterance.id)
            report.allOccurrences.queries += 1
            if every.timestamps.count == occurrences.count {
                report.allOccurrences.exactCount += 1
                for (stamp, reference) in zip(every.timestamps, occurrences) {
                    report.allOccurrencesStarts.add(predicted: stamp.start, reference: reference.start)
                }
            }

            let onsets = words.map(\.start)
            chance.0 += NoLearningBaseline.chance(reference: first.start, onsets: onsets, tolerance: 0.02)
            chance.1 += NoLearningBaseline.chance(reference: first.start, onsets: onsets, tolerance: 0.04)
            chance.2 += NoLearningBaseline.chance(reference: first.start, onsets: onsets, tolerance: 0.1)
        }
        let n = Double(max(1, report.utterances))
        report.queryChance = (chance.0 / n, chance.1 / n, chance.2 / n)
        report.seconds = Date().timeIntervalSince(start)
        return report
    }
}
