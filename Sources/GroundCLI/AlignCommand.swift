import Foundation
import GroundCore

/// `ground FILE... --query WORD | --transcript TEXT`: validates the request, loads each file and
/// computes its features, then hands them to the model.
enum AlignCommand {
    static let parser = ArgumentParser(options: [
        .option("query", short: "q", value: "WORD", help: "word or phrase to find"),
        .option(
            "occurrence", short: "k", value: "K|all", default: "1",
            help: "which occurrence of the query (counted from 1), or all"),
        .option("transcript", short: "t", value: "TEXT", help: "transcript to align word by word"),
        .option("transcript-file", value: "PATH", help: "read the transcript from a text file"),
        .option("model", short: "m", value: "PATH", default: "$GROUND_MODEL, else the bundled model", help: "model file"),
        .option(
            "format", short: "f", value: "NAME", default: "json",
            help: "output format: \(OutputFormat.names.joined(separator: ", ")); unset, the --output extension picks it"),
        .option("output", short: "o", value: "PATH", default: "standard output", help: "write the result here"),
        .option("plot", value: "FILE.svg", help: "also draw waveform, spectrogram, the head's curves and the timestamps (one input file)"),
        AlignCommand.gridsOption,
        .option("start", value: "SECONDS", default: "0", help: "ignore audio before this time"),
        .option("end", value: "SECONDS", default: "end of file", help: "ignore audio after this time"),
        .option(
            "threads", short: "j", value: "N", default: String(ProcessInfo.processInfo.activeProcessorCount),
            help: "worker threads"),
        .flag("quiet", help: "print nothing but results and errors"),
        .flag("help", short: "h", help: "show this help"),
        .flag("version", help: "print the version"),
    ])

    struct Request {
        var files: [String]
        var task: GroundingTask
        var modelPath: String?
        var outputPath: String?
        var writer: any OutputWriter
        var plotPath: String?
        var start: Double
        var end: Double?
        var threads: Int
        var grids: Int
    }

    static func run(_ arguments: [String]) throws {
        let parsed = try parser.parse(arguments)
        if parsed.has("help") { return print(GroundCommand.help) }
        if parsed.has("version") { return print("ground \(GroundVersion.string)") }
        let request = try validate(parsed)

        let destination = try OutputDestination(path: request.outputPath)
        let plotDestination = try request.plotPath.map { try OutputDestination(path: $0, purpose: "plot") }
        let grounder = try loadModel(request.modelPath)
        grounder?.frameGrids = request.grids
        let extractor = try grounder.map(\.extractor) ?? LogMelExtractor()
        var results: [GroundingResult] = []
        var plotInput: (audio: Audio, features: FeatureMatrix)?
        for file in request.files {
            let audio = try AudioFile.load(
                path: file, sampleRate: extractor.config.sampleRate, start: request.start, end: request.end)
            let features = try extractor.features(of: audio, threads: request.threads)
            guard let grounder else { continue }
            results.append(
                try grounder.ground(
                    features: features, duration: audio.duration, task: request.task, file: file, timeOffset: request.start))
            // The plot draws the same features the model read.
            if plotDestination != nil { plotInput = (audio, features) }
        }
        guard grounder != nil else {
            throw GroundError(
                "no model available: the bundled model is missing (looked in \(BundledModel.candidates.joined(separator: ", "))); pass --model PATH")
        }
        // Both documents are complete before either file is written.
        let document = try request.writer.document(results)
        if let plotDestination, let plotInput {
            let plot = SVGPlot(
                result: results[0], audio: plotInput.audio, audioStart: request.start, features: plotInput.features,
                featureConfig: extractor.config)
            try plotDestination.write(plot.document())
        }
        try destination.write(document)
    }

    /// `--model PATH`, else $GROUND_MODEL, else the bundled default model (`BundledModel`); nil
    /// when there is none (every file is still decoded, so file errors come before that one).
    static func loadModel(_ path: String?) throws -> Grounder? {
        guard let path = BundledModel.path(option: path) else { return nil }
        return try Grounder(path: path)
    }

    /// `--grids N`, shared by every command that decodes (`Grounder.frameGrids`).
    static let gridsOption = OptionSpec.option(
        "grids", value: "N", default: String(Grounder.defaultFrameGrids),
        help: "frame grids per clip: test-time shifts of 40/N ms whose timestamps are averaged (1–4)")

    static func frameGrids(_ parsed: ParsedArguments) throws -> Int {
        try parsed.integer("grids", in: 1...4) ?? Grounder.defaultFrameGrids
    }

    /// Checks the combination of options; every problem is a `UsageError` before any file is read.
    static func validate(_ parsed: ParsedArguments) throws -> Request {
        guard !parsed.positionals.isEmpty else { throw UsageError("no audio file given") }
        let modes = ["query", "transcript", "transcript-file"].filter(parsed.has)
        guard modes.count == 1 else {
            throw UsageError(
                modes.isEmpty
                    ? "say what to find: --query WORD, --transcript TEXT or --transcript-file PATH"
                    : "--\(modes[0]) and --\(modes[1]) cannot be used together")
        }
        let task: GroundingTask
        do {
            switch modes[0] {
            case "query":
                task = try .query(parsed.value("query")!, occurrence: try occurrence(parsed.value("occurrence")))
            case "transcript":
                try rejectOccurrence(parsed)
                task = try .transcript(parsed.value("transcript")!)
            default:
                try rejectOccurrence(parsed)
                let path = parsed.value("transcript-file")!
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw GroundError(file: path, "cannot read the transcript file (missing, unreadable or not UTF-8)")
                }
                task = try .transcript(text, source: "the transcript file \(path)")
            }
        } catch let error as GroundError {
            throw UsageError(error.message)
        }
        let writer = try outputWriter(parsed)
        if !writer.holdsSeveralFiles, parsed.positionals.count > 1 {
            throw UsageError(
                "--format \(writer.name) describes one audio file, got \(parsed.positionals.count); "
                    + "run ground once per file, or use json, jsonl, csv or tsv")
        }
        let plotPath = parsed.value("plot")
        if plotPath != nil, parsed.positionals.count > 1 {
            throw UsageError("--plot draws one audio file, got \(parsed.positionals.count); run ground once per file")
        }
        if plotPath == "-" { throw UsageError("--plot needs a file name (an SVG is not written to standard output)") }
        let start = try parsed.seconds("start") ?? 0
        let end = try parsed.seconds("end")
        if let end, end <= start {
            throw UsageError("--end (\(end)) must be later than --start (\(start))")
        }
        return Request(
            files: parsed.positionals, task: task, modelPath: parsed.value("model"),
            outputPath: parsed.value("output"), writer: writer, plotPath: plotPath, start: start, end: end,
            threads: try parsed.integer("threads", in: 1...256) ?? ProcessInfo.processInfo.activeProcessorCount,
            grids: try frameGrids(parsed))
    }

    /// `--format NAME`; without it, the format named by the extension of `--output`; else json.
    private static func outputWriter(_ parsed: ParsedArguments) throws -> any OutputWriter {
        if let name = parsed.value("format") {
            guard let writer = OutputFormat.named(name) else {
                throw UsageError("unknown --format '\(name)'; available: \(OutputFormat.names.joined(separator: ", "))")
            }
            return writer
        }
        return parsed.value("output").flatMap(OutputFormat.inferred(fromPath:)) ?? JSONWriter()
    }

    private static func occurrence(_ text: String?) throws -> GroundingTask.Occurrence {
        guard let text else { return .index(1) }
        if text == "all" { return .all }
        guard let k = Int(text), k >= 1 else {
            throw UsageError("--occurrence must be a positive integer or 'all', got '\(text)'")
        }
        return .index(k)
    }

    private static func rejectOccurrence(_ parsed: ParsedArguments) throws {
        if parsed.has("occurrence") { throw UsageError("--occurrence applies to --query only") }
    }
}
