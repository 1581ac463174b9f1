/// Turns utterances into training examples for the tasks the model must learn. Several task
/// kinds force the decoder to read the text rather than detect word onsets acoustically:
///
/// - `transcript`: every word's start and end (paper §4.3): n events.
/// - `query`: the k-th occurrence of a word of the utterance: one event.
/// - `absent`: a word that is not in the utterance: no event (the count term pushes Λ(T) to 0).
/// - `partial`: a contiguous run of the transcript's words: events only for those words, so
///   the text, not the audio, says which onsets count.
/// - `all`: every occurrence of a word of the utterance (`--occurrence all`; the count term makes
///   Λ(T) the number of occurrences, which the CLI rounds to decide how many to report).
public struct TaskSampler: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        // `all` is last, so mixes without it draw exactly as before it existed.
        case transcript, query, absent, partial, all
    }

    /// Relative frequency of each task kind.
    public var weights: [Kind: Double]
    /// The model's configuration: its vocabulary encodes tasks, its CTC labels the transcript.
    public let config: ModelConfig
    /// Words to draw absent queries from.
    public let lexicon: [String]

    public init(weights: [Kind: Double], config: ModelConfig, lexicon: [String]) {
        self.weights = weights
        self.config = config
        self.lexicon = lexicon
    }

    /// The kind and the example for one utterance; nil when the utterance cannot give one
    /// (no words, or words outside the alphabet).
    public func example(
        utterance: Utterance, features: FeatureMatrix, generator: inout SplitMix64
    ) -> (Kind, TrainingExample)? {
        guard !utterance.words.isEmpty, utterance.hasOnlyKnownWords else { return nil }
        let kind = draw(&generator)
        let words = utterance.words
        var task: GroundingTask
        var chosen: [Utterance.Word]
        switch kind {
        case .transcript:
            task = .transcript(words: words.map(\.word))
            chosen = words
        case .partial:
            let length = 1 + Int(generator.next() % UInt64(words.count))
            let first = Int(generator.next() % UInt64(words.count - length + 1))
            chosen = Array(words[first..<(first + length)])
            task = .transcript(words: chosen.map(\.word))
        case .query:
            let target = words[Int(generator.next() % UInt64(words.count))].word
            let occurrences = words.filter { $0.word == target }
            let k = 1 + Int(generator.next() % UInt64(occurrences.count))
            task = .wordQuery(query: target, occurrence: .index(k))
            chosen = [occurrences[k - 1]]
        case .all:
            let target = words[Int(generator.next() % UInt64(words.count))].word
            chosen = words.filter { $0.word == target }
            task = .wordQuery(query: target, occurrence: .all)
        case .absent:
            let present = Set(words.map(\.word))
            var candidate = lexicon.isEmpty ? "" : lexicon[Int(generator.next() % UInt64(lexicon.count))]
            for _ in 0..<8 where present.contains(candidate) {
                candidate = lexicon[Int(generator.next() % UInt64(lexicon.count))]
            }
            guard !candidate.isEmpty, !present.contains(candidate) else { return nil }
            task = .wordQuery(query: candidate, occurrence: .index(1))
            chosen = []
        }
        guard let tokens = try? config.vocabulary.encode(task) else { return nil }
        return (
            kind,
            TrainingExample(
                features: features, tokens: tokens, starts: chosen.map(\.start), ends: chosen.map(\.end),
                transcriptLabels: words.flatMap { config.ctcLabels($0.word) })
        )
    }

    private func draw(_ generator: inout SplitMix64) -> Kind {
        let total = Kind.allCases.reduce(0) { $0 + (weights[$1] ?? 0) }
        var u = generator.nextUnitDouble() * total
        for kind in Kind.allCases {
            u -= weights[kind] ?? 0
            if u < 0 { return kind }
        }
        return .transcript
    }
}
