import Foundation

/// Progress on stderr: a line rewritten in place when stderr is a terminal, a plain line at most
/// every `interval` seconds otherwise; silent with `--quiet`. Stdout stays machine-readable.
final class Progress {
    let quiet: Bool
    let interactive = isatty(STDERR_FILENO) != 0
    let interval: Double
    private var lastPrint = 0.0
    private let start = Date()

    init(quiet: Bool, interval: Double = 10) {
        self.quiet = quiet
        self.interval = interval
    }

    var elapsed: Double { Date().timeIntervalSince(start) }

    /// Shows `message`; `force` prints even within the interval (e.g. a final line).
    func update(_ message: String, force: Bool = false) {
        guard !quiet else { return }
        let now = elapsed
        guard force || interactive || now - lastPrint >= interval else { return }
        lastPrint = now
        let line = interactive ? "\r\u{1B}[K" + message : message + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Ends an in-place line so the next output starts on a fresh line.
    func finish() {
        if interactive && !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
