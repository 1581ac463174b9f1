import Foundation

/// The `csv` and `tsv` formats: a header line `file,word,start,end,score`, then one row per word
/// of every file, in order. `start` and `end` are seconds from the start of the file rounded to
/// milliseconds (end ≥ start + 1 ms); `score` keeps three decimals, as in JSON.
///
/// Quoting follows RFC 4180 for both separators (as Python's `csv` module and spreadsheets read
/// it): a field holding the separator, a double quote, CR or LF is enclosed in double quotes and
/// its quotes are doubled. Lines end with LF.
public struct DelimitedWriter: OutputWriter {
    public let name: String
    public let fileExtension: String
    public let holdsSeveralFiles = true
    public let separator: Character

    public static let csv = DelimitedWriter(name: "csv", separator: ",")
    public static let tsv = DelimitedWriter(name: "tsv", separator: "\t")

    public init(name: String, separator: Character) {
        self.name = name
        self.fileExtension = name
        self.separator = separator
    }

    public func document(_ results: [GroundingResult]) -> String {
        var lines = [row(["file", "word", "start", "end", "score"])]
        for result in results {
            for stamp in result.timestamps {
                let span = OutputTime.span(stamp)
                lines.append(row([
                    result.file, stamp.word, OutputTime.seconds(span.start), OutputTime.seconds(span.end),
                    JSONWriter.number(stamp.score),
                ]))
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }

    private func row(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: String(separator))
    }

    /// The field as is, or in double quotes with its quotes doubled when it needs them.
    public func quoted(_ field: String) -> String {
        let needsQuotes = field.unicodeScalars.contains {
            $0 == "\"" || $0 == "\n" || $0 == "\r" || Character($0) == separator
        }
        return needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}
