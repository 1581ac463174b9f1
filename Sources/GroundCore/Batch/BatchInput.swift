import Foundation

/// One positional argument of `ground batch`: a folder to walk, a manifest in the schema of
/// `../shared/data` (optionally `PATH@SPLIT`), or a list of `AUDIO<TAB>TRANSCRIPT` lines.
public enum BatchInput: Sendable, Equatable {
    case directory(String)
    case manifest(path: String, split: String?)
    case list(String)

    // MARK: - Recognising an argument

    /// Classifies `argument` by what it is on disk: an existing folder, a `.jsonl` file (with an
    /// optional `@SPLIT`), or a `.txt`/`.tsv` file.
    public init(argument: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
            self = .directory(argument)
            return
        }
        if let at = argument.lastIndex(of: "@"), argument[..<at].hasSuffix(".jsonl") {
            self = .manifest(path: String(argument[..<at]), split: String(argument[argument.index(after: at)...]))
        } else if argument.hasSuffix(".jsonl") {
            self = .manifest(path: argument, split: nil)
        } else if argument.hasSuffix(".txt") || argument.hasSuffix(".tsv") {
            self = .list(argument)
        } else {
            throw GroundError(
                file: argument,
                FileManager.default.fileExists(atPath: argument)
                    ? "not a batch input: give a folder, a .jsonl manifest or a .txt/.tsv list"
                    : "no such file or folder")
        }
    }

    // MARK: - Utterances

    /// This input's utterances, in no particular order.
    public func items() throws -> [BatchItem] {
        switch self {
        case .directory(let path):
            return try DirectoryCorpus.items(root: path)
        case .manifest(let path, let split):
            return try manifestItems(path: path, split: split)
        case .list(let path):
            return try TranscriptList.items(path: path)
        }
    }

    /// The transcript is the words' text joined (the `transcript` field when there are no
    /// words); placeholders such as `<unk>` are not text and are left out.
    private func manifestItems(path: String, split: String?) throws -> [BatchItem] {
        let utterances = try Manifest.read(path: path).filter { split == nil || $0.split == split }
        guard !utterances.isEmpty else {
            throw GroundError(file: path, "no utterances\(split.map { " in split '\($0)'" } ?? "")")
        }
        return utterances.map { utterance in
            let words = utterance.words.map(\.word).filter { !($0.hasPrefix("<") && $0.hasSuffix(">")) }
            let text = utterance.words.isEmpty ? utterance.transcript : words.joined(separator: " ")
            return BatchItem(
                id: utterance.id, audioPath: utterance.audioPath, transcript: text,
                source: "the transcript of \(utterance.id) in \(path)")
        }
    }

    /// Every input's utterances sorted by id: the deterministic order of a batch. Two utterances
    /// with the same id are an error, since resuming and sharding key on the id.
    public static func items(of inputs: [BatchInput]) throws -> [BatchItem] {
        let items = try inputs.flatMap { try $0.items() }.sorted { $0.id < $1.id }
        for (previous, next) in zip(items, items.dropFirst()) where previous.id == next.id {
            throw GroundError(
                "two utterances have the id '\(next.id)' (\(previous.audioPath) and \(next.audioPath)); ids must be unique")
        }
        return items
    }
}
