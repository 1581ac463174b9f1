/// One subtitle cue per word, shared by the SRT and WebVTT writers.
///
/// Players expect cues in order of their start (WebVTT requires it), so a cue never starts
/// before the previous one: a word the model placed earlier than its predecessor (the Poisson
/// posterior modes do not strictly guarantee order) starts with it instead. Each cue lasts at
/// least 1 ms.
struct Cue {
    /// Milliseconds from the start of the file.
    var start: Int
    var end: Int
    /// The word on one line (a line break inside a cue's text would end the cue).
    var text: String

    static func cues(of result: GroundingResult) -> [Cue] {
        var previousStart = 0
        return result.timestamps.map { stamp in
            let span = OutputTime.span(stamp)
            let start = max(span.start, previousStart)
            previousStart = start
            let text = stamp.word.split(whereSeparator: \.isNewline).joined(separator: " ")
            return Cue(start: start, end: max(span.end, start + 1), text: text)
        }
    }
}
