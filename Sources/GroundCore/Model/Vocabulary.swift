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

    // MARK: - CTC labels

    /// The characters the encoder's CTC head emits (class 0 is the blank; spaces are not emitted:
    /// word boundaries come from the alignment, not from a symbol).
    public static let ctcAlphabet = Array("'0123456789abcdefghijklmnopqrstuvwxyz")
    public static let ctcClasses = ctcAlphabet.count + 1
    private static let ctcIndex = Dictionary(uniqueKeysWithValues: ctcAlphabet.enumerated().map { ($1, $0 + 1) })

    /// CTC labels of a normalised word (characters outside the alphabet are dropped).
    public static func ctcLabels(_ word: String) -> [Int] { word.compactMap { ctcIndex[$0] } }

    /// The words of an encoded task's text: the tokens after `<text>`, split at spaces.
    public func textWords(tokens: [Int32]) -> [String] {
        guard let textID = index[Special.text.rawValue], let start = tokens.firstIndex(of: textID) else { return [] }
        var words = [""]
        for id in tokens[(start + 1)...] {
            let token = tokens_(id)
            if token == " " {
                words.append("")
            } else if token.count == 1 {
                words[words.count - 1] += token
            }
        }
        return words.filter { !$0.isEmpty }
    }

    private func tokens_(_ id: Int32) -> String { Int(id) < tokens.count && id >= 0 ? tokens[Int(id)] : "" }

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
