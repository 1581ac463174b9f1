import Foundation

/// One utterance of a manifest (the JSONL schema of `../shared/data/README.md`): an audio file
/// and its words with start and end times in seconds from the start of the file.
public struct Utterance: Sendable, Equatable {
    public struct Word: Sendable, Equatable {
        public var word: String
        public var start: Double
        public var end: Double

        public init(word: String, start: Double, end: Double) {
            self.word = word
            self.start = start
            self.end = end
        }
    }

    /// Absolute path of the audio file.
    public var audioPath: String
    public var words: [Word]
    public var transcript: String
    public var duration: Double
    public var speaker: String
    public var id: String
    /// "train", "test", "dev", "heldout", ... or "" when the manifest has no split.
    public var split: String
    /// Marked by the data's makers as a probably bad alignment.
    public var suspect: Bool

    /// True when every word is in the model's alphabet (no `<unk>` or other placeholders).
    public var hasOnlyKnownWords: Bool {
        words.allSatisfy { TextNormalizer.normalize($0.word) == $0.word && !$0.word.isEmpty }
    }
}

/// Reads manifests: one JSON object per line, `audio` relative to the manifest's folder.
public enum Manifest {
    private struct Line: Decodable {
        struct Word: Decodable {
            var word: String
            var start: Double
            var end: Double
        }
        var audio: String
        var words: [Word]
        var transcript: String?
        var duration: Double?
        var speaker: String?
        var utt_id: String?
        var split: String?
        var suspect: Bool?
    }

    public static func read(path: String) throws -> [Utterance] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GroundError(file: path, "cannot read the manifest")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let decoder = JSONDecoder()
        var utterances: [Utterance] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { continue }
            let entry: Line
            do {
                entry = try decoder.decode(Line.self, from: Data(line))
            } catch {
                throw GroundError(file: path, "line \(number + 1) is not a valid manifest entry: \(error)")
            }
            let audio = entry.audio.hasPrefix("/") ? entry.audio : folder.appendingPathComponent(entry.audio).path
            let words = entry.words.map { Utterance.Word(word: $0.word, start: $0.start, end: $0.end) }
            utterances.append(
                Utterance(
                    audioPath: audio, words: words,
                    transcript: entry.transcript ?? words.map(\.word).joined(separator: " "),
                    duration: entry.duration ?? (words.last?.end ?? 0), speaker: entry.speaker ?? "",
                    id: entry.utt_id ?? URL(fileURLWithPath: entry.audio).deletingPathExtension().lastPathComponent,
                    split: entry.split ?? "", suspect: entry.suspect ?? false))
        }
        return utterances
    }
}
