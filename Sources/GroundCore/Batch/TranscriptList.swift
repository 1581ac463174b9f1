import Foundation

/// A plain list of utterances, one per line: `AUDIO_PATH<TAB>TRANSCRIPT` (`.txt` or `.tsv`).
/// Relative audio paths are resolved against the list's folder; empty lines and lines starting
/// with `#` are skipped. An utterance's id is its audio path as written, without the extension.
/// A line without a tab is an error for the whole list: it is not a list, or not one we can
/// trust.
public enum TranscriptList {
    public static func items(path: String) throws -> [BatchItem] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw GroundError(file: path, "cannot read the list (missing, unreadable or not UTF-8)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        var items: [BatchItem] = []
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            guard !line.allSatisfy(\.isWhitespace), !line.hasPrefix("#") else { continue }
            let fields = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty else {
                throw GroundError(file: path, "line \(number + 1) is not AUDIO_PATH<TAB>TRANSCRIPT")
            }
            let audio = String(fields[0])
            let resolved = audio.hasPrefix("/") || folder.isEmpty ? audio : (folder as NSString).appendingPathComponent(audio)
            let id = (audio as NSString).deletingPathExtension
            items.append(BatchItem(id: id, audioPath: resolved, transcript: String(fields[1]), source: "the transcript of \(id) in \(path)"))
        }
        return items
    }
}
