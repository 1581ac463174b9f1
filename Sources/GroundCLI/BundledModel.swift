import Foundation
import GroundCore

/// Finds the model `ground` uses when no `--model` is given.
///
/// Order: `--model PATH`, then `$GROUND_MODEL`, then the bundled default model. SwiftPM copies
/// `Sources/GroundCLI/Resources` next to the built executable (`ground_GroundCLI.resources/`);
/// an installed copy may keep it in `../share/ground/` beside `bin/`. The executable's own path
/// comes from /proc/self/exe (symlinks resolved), so `ground` works from any directory.
enum BundledModel {
    static let fileName = "ground-default.ground"

    /// Where a copy of the bundled model is looked for, in order.
    static var candidates: [String] {
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]).resolvingSymlinksInPath()
        let directory = executable.deletingLastPathComponent()
        return [
            directory.appendingPathComponent("ground_GroundCLI.resources/Resources/\(fileName)").path,
            directory.appendingPathComponent("ground_GroundCLI.resources/\(fileName)").path,
            directory.deletingLastPathComponent().appendingPathComponent("share/ground/\(fileName)").path,
        ]
    }

    /// The model path to use, or nil when none is given and none is bundled.
    static func path(option: String?) -> String? {
        if let option { return option }
        if let environment = ProcessInfo.processInfo.environment["GROUND_MODEL"], !environment.isEmpty { return environment }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}
