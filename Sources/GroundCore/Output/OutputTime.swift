import Foundation

/// Times as whole milliseconds, the resolution every output format prints.
///
/// All writers round the same way, to the nearest millisecond with halves away from zero (the
/// rule `JSONWriter` applies to its three decimals), so one time reads the same in every format.
enum OutputTime {
    /// Seconds → whole milliseconds.
    static func milliseconds(_ seconds: Double) -> Int {
        Int((seconds * 1000).rounded())
    }

    /// A word's start and end in milliseconds; the end is kept at least 1 ms after the start, so
    /// rounding never makes a word empty or reversed.
    static func span(_ stamp: GroundingResult.Timestamp) -> (start: Int, end: Int) {
        let start = milliseconds(stamp.start)
        return (start, max(milliseconds(stamp.end), start + 1))
    }

    /// Milliseconds as decimal seconds without trailing zeros: 630 → "0.63", 2000 → "2",
    /// 1005 → "1.005".
    static func seconds(_ milliseconds: Int) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let whole = abs(milliseconds) / 1000, fraction = abs(milliseconds) % 1000
        guard fraction != 0 else { return sign + String(whole) }
        var digits = String(format: "%03d", fraction)
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(sign)\(whole).\(digits)"
    }

    /// Milliseconds as a subtitle clock, `HH:MM:SS` + separator + `mmm` (hours grow past two
    /// digits when needed): 3_723_004 → "01:02:03,004" with ",".
    static func clock(_ milliseconds: Int, separator: Character) -> String {
        let ms = max(0, milliseconds)
        let hours = ms / 3_600_000, minutes = ms / 60_000 % 60, seconds = ms / 1000 % 60
        return String(format: "%02d:%02d:%02d", hours, minutes, seconds) + String(separator)
            + String(format: "%03d", ms % 1000)
    }
}
