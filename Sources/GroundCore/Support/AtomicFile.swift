import Foundation

/// Writes a file so that readers see either the old file or the complete new one: the bytes go
/// to a temporary file in the same directory, which is renamed over the destination at the end.
/// A failure never leaves a partial file under the final name.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        let temporary = path + ".partial-\(getpid())"
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
        } catch {
            unlink(temporary)
            throw GroundError(file: path, "cannot write: \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw GroundError(file: path, "cannot move the finished file into place: \(reason)")
        }
    }
}
