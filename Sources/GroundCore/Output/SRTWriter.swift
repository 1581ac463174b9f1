/// The `srt` format (SubRip subtitles): one numbered cue per word, shown from the word's start to
/// its end, times as `HH:MM:SS,mmm` (milliseconds) from the start of the file.
///
///     1
///     00:00:00,630 --> 00:00:00,810
///     much
///
/// Cues are in order of their start and last at least 1 ms (see `Cue`).
public struct SRTWriter: OutputWriter {
    public let name = "srt"
    public let fileExtension = "srt"
    public let holdsSeveralFiles = false

    public init() {}

    public func document(_ results: [GroundingResult]) throws -> String {
        document(for: try OutputFormat.single(results, for: self))
    }

    public func document(for result: GroundingResult) -> String {
        Cue.cues(of: result).enumerated().map { index, cue in
            "\(index + 1)\n\(OutputTime.clock(cue.start, separator: ",")) --> "
                + "\(OutputTime.clock(cue.end, separator: ","))\n\(cue.text)\n\n"
        }.joined()
    }
}
