import Foundation

/// The `vtt` format (WebVTT subtitles, for HTML `<track>`): the `WEBVTT` header, then one
/// numbered cue per word from its start to its end, times as `HH:MM:SS.mmm` (milliseconds) from
/// the start of the file.
///
///     WEBVTT
///
///     1
///     00:00:00.630 --> 00:00:00.810
///     much
///
/// Cue text escapes `&`, `<` and `>` as WebVTT requires. Cues are in order of their start and
/// last at least 1 ms (see `Cue`).
public struct WebVTTWriter: OutputWriter {
    public let name = "vtt"
    public let fileExtension = "vtt"
    public let holdsSeveralFiles = false

    public init() {}

    public func document(_ results: [GroundingResult]) throws -> String {
        document(for: try OutputFormat.single(results, for: self))
    }

    public func document(for result: GroundingResult) -> String {
        "WEBVTT\n\n"
            + Cue.cues(of: result).enumerated().map { index, cue in
                "\(index + 1)\n\(OutputTime.clock(cue.start, separator: ".")) --> "
                    + "\(OutputTime.clock(cue.end, separator: "."))\n\(Self.escaped(cue.text))\n\n"
            }.joined()
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
