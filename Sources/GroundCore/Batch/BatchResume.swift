import Foundation

/// `--resume`: what an existing batch output already holds, after making it a clean base to
/// append to.
///
/// Successes are kept and their ids skipped. Error records are removed and their utterances
/// tried again, since a failure is often transient or fixed since (a file copied in, a
/// transcript corrected); the output then still holds each id once. A torn last line (no
/// newline: the run was killed mid-write) is removed too. When anything is removed, the kept
/// lines are written back atomically (`AtomicFile`), so a crash during the clean-up leaves the
/// old file, never a half-written one.
public struct BatchResume: Sendable, Equatable {
    /// Ids with a success line in the output.
    public var completed: Set<String>
    /// Error records removed so their utterances run again.
    public var retried: Int
    /// True when the file ended in a line without its newline, which was removed.
    public var droppedTornLine: Bool

    /// Reads and cleans `path`; a missing file is an empty output. Only error records of
    /// `retrying` (the ids of this run) are removed; others stay as they are. A complete line
    /// that is not a JSON object with a string `"id"` means the file is not a batch output: it
    /// is left untouched and nothing runs.
    public init(path: String, retrying: Set<String>) throws {
        completed = []
        retried = 0
        droppedTornLine = false
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GroundError(file: path, "cannot read the output to resume it")
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The last piece is empty when the file ends with a newline, or else the torn line.
        droppedTornLine = !(lines.removeLast().isEmpty)
        var kept = Data()
        for (number, line) in lines.enumerated() where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                let id = object["id"] as? String
            else {
                throw GroundError(file: path, "line \(number + 1) is not a ground batch record (a JSON object with an \"id\"); not resuming into this file")
            }
            let keep: Bool
            if object["error"] != nil {
                keep = !retrying.contains(id)
                if !keep { retried += 1 }
            } else {
                keep = completed.insert(id).inserted  // a repeated success line is dropped
            }
            if keep {
                kept.append(line)
                kept.append(UInt8(ascii: "\n"))
            }
        }
        if kept.count != data.count {
            try AtomicFile.write(kept, to: path)
        }
    }
}
