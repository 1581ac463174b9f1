import Foundation

/// Runs the built `ground` executable as a user would.
enum GroundProcess {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable sits next to the test bundle in the build products folder.
    static var executable: URL {
        let products = Bundle.main.bundleURL.pathExtension == "xctest"
            ? Bundle.main.bundleURL.deletingLastPathComponent() : Bundle.main.bundleURL
        let candidates = [products] + (try? FileManager.default.contentsOfDirectory(
            at: products, includingPropertiesForKeys: nil))!.filter { $0.pathExtension == "xctest" }
        return candidates.map { $0.deletingLastPathComponent().appendingPathComponent("ground") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
            ?? products.appendingPathComponent("ground")
    }

    /// Runs `ground arguments` with `environment` added to this process's (where GROUND_MODEL is
    /// removed, so tests see the bundled model unless they set it).
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment
        inherited["GROUND_MODEL"] = nil
        process.environment = inherited.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}
