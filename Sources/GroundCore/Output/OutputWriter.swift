/// One output format of `ground`: turns results into the text of one document.
///
/// Every format states times in seconds from the start of the file (SRT and WebVTT as
/// `HH:MM:SS` plus milliseconds), rounded to whole milliseconds the same way
/// (`OutputTime.milliseconds`), so a time reads the same in every format.
public protocol OutputWriter: Sendable {
    /// The name `--format` takes, lower case.
    var name: String { get }
    /// The usual file extension, without the dot, as written (`TextGrid`); `--output` paths
    /// ending in it (any case) select this format when `--format` is not given.
    var fileExtension: String { get }
    /// Whether one document can hold the results of several audio files. A TextGrid or a
    /// subtitle file describes the timeline of one recording, so those formats cannot.
    var holdsSeveralFiles: Bool { get }

    /// The whole document: empty, or ending with a newline.
    /// - Throws: `GroundError` when given several results and `holdsSeveralFiles` is false.
    func document(_ results: [GroundingResult]) throws -> String
}
