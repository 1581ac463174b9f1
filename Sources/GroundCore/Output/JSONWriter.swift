import Foundation

/// The `json` format (the paper's form plus metadata), one object per file:
///
///     {"file": "word.wav", "duration": 2.58, "model": {"name": ..., "head": "poisson", "parameters": ...},
///      "task": "word", "query": "much", "occurrence": "1", "expected_count": 1.02,
///      "timestamps": [{"word": "much", "start": 0.63, "end": 0.81, "score": 0.94}]}
///
/// Times are seconds rounded to milliseconds; scores and counts keep three decimals. The
/// transcript task has `"task": "transcript"`, `"transcript": "..."` and one entry per word in
/// order. Keys keep this order so the output reads well and diffs cleanly.
public struct JSONWriter: OutputWriter {
    public let name = "json"
    public let fileExtension = "json"
    public let holdsSeveralFiles = true

    public init() {}

    /// One file's result as a single-line JSON object; `id` (an utterance id of `ground batch`)
    /// comes first when given.
    public func object(_ result: GroundingResult, id: String? = nil) -> String {
        var fields: [(String, String)] = id.map { [("id", Self.string($0))] } ?? []
        fields += [
            ("file", Self.string(result.file)),
            ("duration", Self.number(result.duration)),
            (
                "model",
                "{\"name\": \(Self.string(result.model.name)), \"head\": \(Self.string(result.model.head)), "
                    + "\"parameters\": \(result.model.parameters)}"
            ),
        ]
        switch result.task {
        case .wordQuery(let query, let occurrence):
            fields += [("task", "\"word\""), ("query", Self.string(query)), ("occurrence", Self.string(occurrence.description))]
        case .transcript(let words):
            fields += [("task", "\"transcript\""), ("transcript", Self.string(words.joined(separator: " ")))]
        }
        if let count = result.expectedCount { fields.append(("expected_count", Self.number(count))) }
        let stamps = result.timestamps.map { stamp in
            "{\"word\": \(Self.string(stamp.word)), \"start\": \(Self.number(stamp.start)), "
                + "\"end\": \(Self.number(stamp.end)), \"score\": \(Self.number(stamp.score))}"
        }
        fields.append(("timestamps", "[" + stamps.joined(separator: ", ") + "]"))
        return "{" + fields.map { "\"\($0)\": \($1)" }.joined(separator: ", ") + "}"
    }

    /// The document for one or several files: an object for one, an array of objects otherwise.
    public func document(_ results: [GroundingResult]) -> String {
        results.count == 1 ? object(results[0]) + "\n" : "[" + results.map { object($0) }.joined(separator: ",\n ") + "]\n"
    }

    /// A number rounded to 3 decimals, printed without trailing zeros ("0.63", "2", "1.005").
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let rounded = (value * 1000).rounded() / 1000
        var text = String(format: "%.3f", rounded == 0 ? 0 : rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
