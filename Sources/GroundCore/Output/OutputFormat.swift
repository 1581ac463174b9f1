/// The registry of output formats the CLI offers, in the order its help lists them.
public enum OutputFormat {
    public static let all: [any OutputWriter] = [
        JSONWriter(), JSONLinesWriter(), TextGridWriter(), DelimitedWriter.csv, DelimitedWriter.tsv,
        SRTWriter(), WebVTTWriter(),
    ]

    /// The names `--format` accepts.
    public static var names: [String] { all.map(\.name) }

    /// The format called `name` (case-insensitive), if any.
    public static func named(_ name: String) -> (any OutputWriter)? {
        all.first { $0.name == name.lowercased() }
    }

    /// The format whose file extension `path` ends in (case-insensitive: `.TextGrid`, `.textgrid`).
    public static func inferred(fromPath path: String) -> (any OutputWriter)? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let suffix = path[path.index(after: dot)...].lowercased()
        return all.first { $0.fileExtension.lowercased() == suffix }
    }

    /// The only result of `results`, for formats that describe one recording.
    static func single(_ results: [GroundingResult], for writer: any OutputWriter) throws -> GroundingResult {
        guard results.count == 1 else {
            throw GroundError(
                "the \(writer.name) format describes one audio file, got results for \(results.count)")
        }
        return results[0]
    }
}
