import Foundation
import GroundCore

/// `ground convert MODEL --precision f16 --output PATH`: rewrites a model file with its weights
/// stored in half precision (half the size; how the bundled model ships) or single precision,
/// keeping its configuration and metadata. Without `--output` it only describes the model.
enum ConvertCommand {
    static let parser = ArgumentParser(options: [
        .option("precision", value: "f16|f32", default: "f16", help: "storage of the weights in the new file"),
        .option("output", short: "o", value: "PATH", help: "where to write the converted model"),
        .flag("help", short: "h", help: "show this help"),
    ])

    static func run(_ arguments: [String]) throws {
        let parsed = try parser.parse(arguments)
        if parsed.has("help") {
            return print("USAGE: ground convert MODEL [--precision f16|f32] [--output PATH]\n\nOPTIONS:\n\(parser.helpText())")
        }
        guard parsed.positionals.count == 1 else { throw UsageError("give exactly one model file") }
        let path = parsed.positionals[0]
        let storage: ModelFile.Storage
        switch parsed.value("precision") ?? "f16" {
        case "f16": storage = .f16
        case "f32": storage = .f32
        case let other: throw UsageError("--precision must be f16 or f32, got '\(other)'")
        }
        let file = try ModelFile.read(path: path)
        let model = try GroundingModel(file: file, path: path)
        let config = model.config
        print(
            "\(path): \(model.parameterCount) parameters, d = \(config.modelDim), head \(config.head.rawValue), "
                + "CTC \(config.ctcHead), alignment prior \(config.alignmentPrior)"
                + (config.pronunciations.map { ", \($0.count) pronunciations (\($0.phones.count) phones)" } ?? ""))
        for (key, value) in file.metadata.sorted(by: { $0.key < $1.key }) { print("  \(key): \(value)") }
        guard let output = parsed.value("output") else { return }
        try OutputDestination(path: output).write(data: try model.file(metadata: file.metadata, storage: storage).encoded())
        print("wrote \(output) (\(storage))")
    }
}
