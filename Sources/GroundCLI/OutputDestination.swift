import Foundation
import GroundCore

/// Standard output, or a file written atomically: the text goes to a temporary file in the same
/// directory, renamed over the destination only when complete, so a failure never leaves a
/// partial output file.
struct OutputDestination {
    let path: String?

    /// Fails early, before any work, when the destination is a directory or its directory is
    /// missing or not writable; `purpose` names the file in the message ("output", "plot").
    init(path: String?, purpose: String = "output") throws {
        self.path = path == "-" ? nil : path
        if let path = self.path {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw GroundError(file: path, "cannot write \(purpose): it is a directory")
            }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw GroundError(file: path, "cannot write \(purpose): the directory \(directory) does not exist")
            }
            guard FileManager.default.isWritableFile(atPath: directory) else {
                throw GroundError(file: path, "cannot write \(purpose): the directory \(directory) is not writable")
            }
        }
    }

    func write(_ text: String) throws { try write(data: Data(text.utf8)) }

    func write(data: Data) throws {
        guard let path else { return FileHandle.standardOutput.write(data) }
        try AtomicFile.write(data, to: path)
    }
}
