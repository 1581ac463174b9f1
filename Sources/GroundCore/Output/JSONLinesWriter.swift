/// The `jsonl` format (JSON Lines): one line per file, each the object `JSONWriter` writes for
/// that file (same keys, seconds rounded to milliseconds), so results of many files can be
/// streamed, concatenated and read line by line.
public struct JSONLinesWriter: OutputWriter {
    public let name = "jsonl"
    public let fileExtension = "jsonl"
    public let holdsSeveralFiles = true

    public init() {}

    public func document(_ results: [GroundingResult]) -> String {
        let json = JSONWriter()
        return results.map { json.object($0) + "\n" }.joined()
    }
}
