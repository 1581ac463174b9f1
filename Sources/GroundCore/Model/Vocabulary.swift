/// The text side's alphabet: special tokens that say what is asked, the occurrence index k, and
/// the characters of normalised text (a–z, digits, apostrophe, space). It is stored in the
/// model file, so a model keeps the vocabulary it was trained with.
public struct Vocabulary: Codable, Sendable, Equatable {
    public var tokens: [String]

    /// Token names for the tasks; reserved now so that models trained later stay compatible.
    public enum Special: String, CaseIterable, Sendable {
        case padding = "<pad>"
        case wordQuery = "<word>"
        case transcript = "<transcript>"
        case speaker = "<speaker>"
        case soundEvent = "<event>"
        /// Marks the end of the task prefix, before the text.
        case text = "<text>"
        /// k beyond `maxOccurrenceToken`.
        case manyOccurrences = "<k+>"
    }

    /// Occurrences 1...maxOccurrenceToken have a token each (`<k1>`, `<k2>`, ...).
    public static let maxOccurrenceToken = 16
    public static let characters = Array(" '0123456789abcdefghijklmnopqrstuvwxyz").map(String.init)

    public static let standard = Vocabulary(
        tokens: Special.allCases.map(\.rawValue) + (1...maxOccurrenceToken).map { "<k\($0)>" } + characters)

    public init(tokens: [String]) {
        self.tokens = tokens
        index = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, Int32($0)) })
    }

    public var count: Int { tokens.count }

    private let index: [String: Int32]

    public func id(_ token: String) -> Int32? { index[token] }

    /// Encodes a task as `[task token] [occurrence token] <text> characters...`; words are separated
    /// by single spaces. Characters outside the vocabulary cannot occur after `TextNormalizer`.
    public func encode(_ task: GroundingTask) throws -> [Int32] {
        var ids: [Int32] = []
        let words: [String]
        switch task {
        case .wordQuery(let query, let occurrence):
            ids.append(try special(.wordQuery))
            switch occurrence {
            case .index(let k) where k <= Self.maxOccurrenceToken: ids.append(try token("<k\(k)>"))
            case .index, .all: ids.append(try special(.manyOccurrences))
            }
            words = query.split(separator: " ").map(String.init)
        case .transcript(let transcriptWords):
            ids.append(try special(.transcript))
            words = transcriptWords
        }
        ids.append(try special(.text))
        for (position, word) in words.enumerated() {
            if position > 0 { ids.append(try token(" ")) }
            for character in word { ids.append(try token(String(character))) }
        }
        return ids
    }

    private func special(_ special: Special) throws -> Int32 { try token(special.rawValue) }

    private func token(_ token: String) throws -> Int32 {
        guard let id = index[token] else { throw GroundError("the model's vocabulary has no token '\(token)'") }
        return id
    }

    // Codable stores only the token list; the index is rebuilt.
    private enum CodingKeys: String, CodingKey { case tokens }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(tokens: try container.decode([String].self, forKey: .tokens))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tokens, forKey: .tokens)
    }

    public static func == (lhs: Vocabulary, rhs: Vocabulary) -> Bool { lhs.tokens == rhs.tokens }
}
