/// What the user asks `ground` to find in a clip.
public enum GroundingTask: Sendable, Equatable {
    /// The start (and end) of one or more occurrences of a word or phrase.
    case wordQuery(query: String, occurrence: Occurrence)
    /// The start (and end) of every word of a transcript, in order.
    case transcript(words: [String])

    public enum Occurrence: Sendable, Equatable, CustomStringConvertible {
        /// The k-th occurrence, counted from 1.
        case index(Int)
        /// Every occurrence, as many as the model's expected count.
        case all

        public var description: String {
            switch self {
            case .index(let k): return String(k)
            case .all: return "all"
            }
        }
    }

    /// Builds a word-query task from user text, normalised to the model's alphabet.
    public static func query(_ text: String, occurrence: Occurrence = .index(1)) throws -> GroundingTask {
        let words = TextNormalizer.words(text)
        guard !words.isEmpty else {
            throw GroundError("the query '\(text)' is empty: it has no letters or digits")
        }
        return .wordQuery(query: words.joined(separator: " "), occurrence: occurrence)
    }

    /// Builds a transcript task from user text, normalised to the model's alphabet.
    public static func transcript(_ text: String, source: String = "the transcript") throws -> GroundingTask {
        let words = TextNormalizer.words(text)
        guard !words.isEmpty else {
            throw GroundError("\(source) is empty: it has no letters or digits")
        }
        return .transcript(words: words)
    }
}
