/// The outcome of one utterance of a batch, and its line in the output JSONL.
///
/// A success is the object `ground` prints for one file (`JSONWriter.object`) with the
/// utterance's `"id"` first; a failure is `{"id": ..., "file": ..., "error": "one line"}`.
public enum BatchRecord: Sendable, Equatable {
    case aligned(id: String, result: GroundingResult)
    case failed(id: String, file: String, error: String)

    public init(failing item: BatchItem, _ error: GroundError) {
        // Errors from the audio decoder already start with the file's path; the record names it.
        var message = error.message
        if message.hasPrefix(item.audioPath + ": ") { message.removeFirst(item.audioPath.count + 2) }
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        self = .failed(id: item.id, file: item.audioPath, error: oneLine)
    }

    public var id: String {
        switch self {
        case .aligned(let id, _), .failed(let id, _, _): return id
        }
    }

    /// Seconds of audio aligned (0 for a failure).
    public var audioSeconds: Double {
        if case .aligned(_, let result) = self { return result.duration }
        return 0
    }

    public var isFailure: Bool {
        if case .failed = self { return true }
        return false
    }

    /// The JSONL line, without its newline.
    public var line: String {
        switch self {
        case .aligned(let id, let result):
            return JSONWriter().object(result, id: id)
        case .failed(let id, let file, let error):
            return "{\"id\": \(JSONWriter.string(id)), \"file\": \(JSONWriter.string(file)), \"error\": \(JSONWriter.string(error))}"
        }
    }
}
