import Foundation

/// A pronouncing dictionary: normalised word → phones (ARPAbet, stress removed).
///
/// Characters are a hard acoustic target for a small CTC head (English spelling is irregular:
/// "though", "through", "tough"); phones are what the audio shows. A model trained with a
/// dictionary emits phones for the words it lists and falls back to characters for the rest, so
/// any text can still be aligned. The dictionary is stored inside the model file (the model is
/// self-describing: no resource to find at run time); the source is the CMU dictionary that
/// Debian ships in `pocketsphinx-en-us` (`/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict`).
public struct Pronunciations: Sendable, Equatable, Codable {
    /// The phone inventory, sorted; a phone's label is its index here.
    public let phones: [String]
    private let entries: [String: [UInt8]]

    public var count: Int { entries.count }

    /// Phone indices of a normalised word, or nil when the dictionary does not list it.
    public func phoneIndices(of word: String) -> [Int]? { entries[word].map { $0.map(Int.init) } }

    /// Reads the CMU dictionary format: `word PH PH ...` per line, `word(2)` for alternative
    /// pronunciations (only the first is kept: the CTC target must be one sequence), stress digits
    /// (`AH0`) removed, `;;;` comments skipped. Words are normalised like queries and transcripts;
    /// entries that do not normalise to a single word are dropped.
    public init(cmuDictionaryAt path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw GroundError(file: path, "cannot read the pronouncing dictionary")
        }
        var raw: [(String, [String])] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix(";;;") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, !fields[0].contains("(") else { continue }
            let words = TextNormalizer.words(String(fields[0]))
            let phones = fields.dropFirst().map { String($0.filter { !$0.isNumber }) }
            guard words.count == 1, phones.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isUppercase } }) else { continue }
            raw.append((words[0], phones))
        }
        guard !raw.isEmpty else { throw GroundError(file: path, "no pronunciations found (expected lines 'word PH PH ...')") }
        let inventory = Set(raw.flatMap(\.1)).sorted()
        guard inventory.count <= Self.codeAlphabet.count else {
            throw GroundError(file: path, "more than \(Self.codeAlphabet.count) distinct phones")
        }
        let index = Dictionary(uniqueKeysWithValues: inventory.enumerated().map { ($1, UInt8($0)) })
        var entries: [String: [UInt8]] = [:]
        for (word, phones) in raw where entries[word] == nil { entries[word] = phones.map { index[$0]! } }
        self.phones = inventory
        self.entries = entries
    }

    // MARK: - Compact storage

    /// Each phone is one letter in the file (A–Z, then a–z): "word\tCODES" lines, about 1.6 MB for
    /// the CMU dictionary instead of 3.6 MB of text.
    static let codeAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    private enum CodingKeys: String, CodingKey { case phones, entries }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(phones, forKey: .phones)
        let lines = entries.keys.sorted().map { word in
            word + "\t" + String(entries[word]!.map { Self.codeAlphabet[Int($0)] })
        }
        try c.encode(lines.joined(separator: "\n"), forKey: .entries)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let phones = try c.decode([String].self, forKey: .phones)
        self.phones = phones
        let code = Dictionary(uniqueKeysWithValues: Self.codeAlphabet.enumerated().map { ($1, UInt8($0)) })
        var entries: [String: [UInt8]] = [:]
        for line in try c.decode(String.self, forKey: .entries).split(separator: "\n") {
            guard let tab = line.firstIndex(of: "\t") else { continue }
            let codes = line[line.index(after: tab)...].compactMap { code[$0] }
            guard !codes.isEmpty, codes.allSatisfy({ Int($0) < phones.count }) else {
                throw DecodingError.dataCorruptedError(forKey: .entries, in: c, debugDescription: "bad pronunciation line '\(line)'")
            }
            entries[String(line[..<tab])] = codes
        }
        self.entries = entries
    }
}
