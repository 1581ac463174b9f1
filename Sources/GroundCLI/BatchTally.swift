import Foundation
import GroundCore

/// Counts of a running batch and the progress and summary lines made from them.
struct BatchTally {
    let total: Int
    private(set) var aligned = 0
    private(set) var failed = 0
    /// Seconds of audio aligned.
    private(set) var audioSeconds = 0.0

    init(total: Int) {
        self.total = total
    }

    var done: Int { aligned + failed }

    mutating func add(_ record: BatchRecord) {
        if record.isFailure { failed += 1 } else { aligned += 1 }
        audioSeconds += record.audioSeconds
    }

    /// `12/40 utterances, 3.1/s, 45.2 s audio/s (45× real time), ETA 0m09s, 1 failed`, after a
    /// 20-character bar when `bar` (stderr is a terminal).
    func status(elapsed: Double, bar: Bool) -> String {
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : .infinity
        var line = "\(done)/\(total) utterances, " + String(format: "%.1f/s, %.1f s audio/s", rate, audioSeconds / max(elapsed, 1e-9))
            + " (\(Self.factor(audioSeconds, elapsed))× real time), ETA \(Progress.duration(eta))"
        if failed > 0 { line += ", \(failed) failed" }
        guard bar else { return "batch: " + line }
        let filled = total == 0 ? 20 : 20 * done / total
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] " + line
    }

    /// `batch: N aligned, M failed, K skipped (already in output), X s audio in Y s (Z× real time)`.
    func summary(skipped: Int, elapsed: Double) -> String {
        "batch: \(aligned) aligned, \(failed) failed, \(skipped) skipped (already in output), "
            + String(format: "%.1f s audio in %.1f s", audioSeconds, elapsed) + " (\(Self.factor(audioSeconds, elapsed))× real time)"
    }

    /// Audio seconds per wall-clock second, with precision that suits its size.
    static func factor(_ audio: Double, _ elapsed: Double) -> String {
        let value = audio / max(elapsed, 1e-9)
        return String(format: value >= 10 ? "%.0f" : "%.1f", value)
    }
}
