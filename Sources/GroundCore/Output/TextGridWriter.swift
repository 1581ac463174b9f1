import Foundation

/// The `textgrid` format: a Praat TextGrid in the long text format, with one IntervalTier named
/// "words" whose intervals tile [0, duration] (seconds from the start of the file, rounded to
/// milliseconds): one interval per word, its text the word, and empty intervals for the gaps.
///
/// A tier cannot hold overlapping or empty intervals, so where the model's words overlap a word
/// ends where the next one starts, and every word keeps at least 1 ms (a word the model put at
/// its predecessor's start, or before it, gets the predecessor's start + 1 ms). Otherwise the
/// times are exactly those of the other formats.
public struct TextGridWriter: OutputWriter {
    public let name = "textgrid"
    public let fileExtension = "TextGrid"
    public let holdsSeveralFiles = false
    /// The tier's name, as Praat shows it.
    public static let tierName = "words"

    public init() {}

    /// An interval of the tier in milliseconds; `text` is empty for a gap.
    struct Interval: Equatable {
        var start: Int
        var end: Int
        var text: String
    }

    public func document(_ results: [GroundingResult]) throws -> String {
        document(for: try OutputFormat.single(results, for: self))
    }

    public func document(for result: GroundingResult) -> String {
        let (duration, intervals) = Self.tier(result)
        var lines = [
            "File type = \"ooTextFile\"",
            "Object class = \"TextGrid\"",
            "",
            "xmin = 0",
            "xmax = \(OutputTime.seconds(duration))",
            "tiers? <exists>",
            "size = 1",
            "item []:",
            "    item [1]:",
            "        class = \"IntervalTier\"",
            "        name = \(Self.quoted(Self.tierName))",
            "        xmin = 0",
            "        xmax = \(OutputTime.seconds(duration))",
            "        intervals: size = \(intervals.count)",
        ]
        for (index, interval) in intervals.enumerated() {
            lines += [
                "        intervals [\(index + 1)]:",
                "            xmin = \(OutputTime.seconds(interval.start))",
                "            xmax = \(OutputTime.seconds(interval.end))",
                "            text = \(Self.quoted(interval.text))",
            ]
        }
        return lines.map { $0 + "\n" }.joined()
    }

    // MARK: - Tiling

    /// The tier's duration and intervals, in milliseconds.
    ///
    /// A forward pass keeps every word after its predecessor and cuts an overlapping end at the
    /// next word's start; a backward pass pulls words that would run past the end of the file
    /// back inside it. The duration is at least one millisecond per word, so both passes always
    /// succeed.
    static func tier(_ result: GroundingResult) -> (duration: Int, intervals: [Interval]) {
        let spans = result.timestamps.map(OutputTime.span)
        let duration = max(OutputTime.milliseconds(result.duration), spans.count, 1)
        var starts = [Int](repeating: 0, count: spans.count), ends = starts
        var previousEnd = 0
        for (i, span) in spans.enumerated() {
            starts[i] = max(span.start, previousEnd)
            let nextStart = i + 1 < spans.count ? spans[i + 1].start : Int.max
            ends[i] = max(min(span.end, nextStart), starts[i] + 1)
            previousEnd = ends[i]
        }
        var limit = duration
        for i in spans.indices.reversed() {
            ends[i] = min(ends[i], limit)
            starts[i] = min(starts[i], ends[i] - 1)
            limit = starts[i]
        }

        var intervals: [Interval] = []
        var time = 0
        for (i, stamp) in result.timestamps.enumerated() {
            if starts[i] > time { intervals.append(Interval(start: time, end: starts[i], text: "")) }
            intervals.append(Interval(start: starts[i], end: ends[i], text: stamp.word))
            time = ends[i]
        }
        if duration > time { intervals.append(Interval(start: time, end: duration, text: "")) }
        return (duration, intervals)
    }

    /// A Praat string literal: in double quotes, with each double quote doubled.
    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
