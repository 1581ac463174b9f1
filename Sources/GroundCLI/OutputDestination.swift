import Foundation
import GroundCore

/// Standard output, or a file written atomically: the text goes to a temporary file in the same
/// directory, renamed over the destination only when complete, so a failure never leaves a
/// partial output file.
struct OutputDestination {
    let path: String?

    /// Fails early, before any work, when the destination's directory is not writable.
    init(path: String?) throws {
        self.path = path == "-" ? nil : path
        if let path = self.path {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw GroundError(file: path, "cannot write output: the directory \(directory) does not exist")
            }
            guard FileManager.default.isWritableFile(atPath: directory) else {
                throw GroundError(file: path, "cannot write output: the directory \(directory) is not writable")
            }
        }
    }

    func write(_ text: String) throws { try write(data: Data(text.utf8)) }

    func write(data: Data) throws {
        guard let path else { return FileHandle.standardOutput.write(data) }
        try AtomicFile.write(data, to: path)
    }
}
