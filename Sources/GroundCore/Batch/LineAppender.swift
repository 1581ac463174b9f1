import Foundation

/// Appends lines to a JSONL file so that a crash never loses or damages a finished line.
///
/// Each line, newline included, goes to the kernel in one `write` on a descriptor opened with
/// `O_APPEND`: once `append` returns, the line survives the process being killed. `fsync` runs
/// at most once per `syncInterval` seconds and on `sync()` (the end of a batch), which bounds
/// what an operating-system crash or power loss can take to the last interval. The worst a
/// crash mid-write can leave is a torn last line without its newline, which `BatchResume`
/// removes.
public final class LineAppender {
    private let descriptor: Int32
    private let path: String
    private let syncs: Bool
    private let syncInterval: Double
    private var lastSync = Date()

    private init(descriptor: Int32, path: String, syncs: Bool, syncInterval: Double) {
        self.descriptor = descriptor
        self.path = path
        self.syncs = syncs
        self.syncInterval = syncInterval
    }

    /// Opens `path` for appending. With `create` the file must not exist yet (`O_EXCL`), so
    /// a finished output is never clobbered, even by a run started at the same moment.
    public convenience init(path: String, create: Bool, syncInterval: Double = 1) throws {
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_CREAT | (create ? O_EXCL : 0)
        let descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else {
            throw GroundError(
                file: path,
                errno == EEXIST ? Self.existsMessage : "cannot open the output: \(String(cString: strerror(errno)))")
        }
        self.init(descriptor: descriptor, path: path, syncs: true, syncInterval: syncInterval)
    }

    /// Standard output: lines still go out whole, one `write` each; there is nothing to sync.
    public static func standardOutput() -> LineAppender {
        LineAppender(descriptor: STDOUT_FILENO, path: "standard output", syncs: false, syncInterval: .infinity)
    }

    deinit {
        if descriptor != STDOUT_FILENO { Foundation.close(descriptor) }
    }

    /// What to say when the output exists and `--resume` was not given.
    public static let existsMessage = "the output file exists; pass --resume to continue it, or remove it"

    /// Writes `line` and a newline with a single `write` (repeated only if the kernel accepts
    /// part of it, which for a regular file means the disk is full).
    public func append(_ line: String) throws {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw GroundError(file: path, "cannot write the output: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        if syncs, Date().timeIntervalSince(lastSync) >= syncInterval { try sync() }
    }

    /// Forces every appended line to disk.
    public func sync() throws {
        guard syncs else { return }
        guard fsync(descriptor) == 0 else {
            throw GroundError(file: path, "cannot flush the output to disk: \(String(cString: strerror(errno)))")
        }
        lastSync = Date()
    }
}
