import Foundation
import GroundCore

/// `ground batch`: aligns every utterance of a corpus (folders, manifests, lists) into one
/// JSONL file, written line by line so that an interrupted run continues with `--resume`, and
/// split over machines with `--shard I/N`. The work itself lives in `GroundCore/Batch`.
enum BatchCommand {
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    static let parser = ArgumentParser(options: [
        .option("output", short: "o", value: "PATH", help: "JSONL output, one line per utterance; - for standard output"),
        .option("model", short: "m", value: "PATH", default: "$GROUND_MODEL, else the bundled default model", help: "model file"),
        .flag("resume", help: "continue an existing output: skip its ids, retry its error records"),
        .option("jobs", value: "N", default: String(cores), help: "utterances aligned in parallel"),
        .option("shard", value: "I/N", default: "1/1", help: "align only shard I of N (by a stable hash of the id)"),
        AlignCommand.gridsOption,
        .option("threads", value: "N", default: "1", help: "threads per utterance for feature extraction"),
        .option("limit", value: "N", default: "all", help: "only the first N utterances (of the shard, in id order)"),
        .flag("quiet", help: "no progress or summary on stderr"),
        .flag("help", short: "h", help: "show this help"),
    ])

    static var help: String {
        """
        USAGE: ground batch DIR|MANIFEST.jsonl[@SPLIT]|LIST.txt ... --output OUT.jsonl [options]

        Aligns the transcript of every utterance found in the inputs:
          DIR              walked recursively; LibriSpeech chapters (UTTID.flac + SPK-CH.trans.txt),
                           elsewhere a sidecar transcript AUDIO.txt or AUDIO.lab beside each audio file
          MANIFEST.jsonl   the ../shared/data schema; @SPLIT keeps one split
          LIST.txt|.tsv    lines AUDIO_PATH<TAB>TRANSCRIPT, paths relative to the list's folder
        Writes one JSON line per utterance as it finishes (the ground JSON object plus "id", or
        {"id", "file", "error"}); with --jobs > 1 lines are not in input order.

        OPTIONS:
        \(parser.helpText())

        EXIT STATUS: 0 every utterance aligned, 1 some failed (see their error records) or the batch
        could not run, 2 a usage mistake.
        """
    }

    struct Request {
        var inputs: [String]
        var outputPath: String?
        var modelPath: String?
        var resume: Bool
        var jobs: Int
        var shard: Shard
        var threads: Int
        var grids: Int
        var limit: Int?
        var quiet: Bool
    }

    static func run(_ arguments: [String]) throws {
        let parsed = try parser.parse(arguments)
        if parsed.has("help") { return print(help) }
        let request = try validate(parsed)
        guard let grounder = try AlignCommand.loadModel(request.modelPath) else {
            throw GroundError("no model available: the bundled model is missing; pass --model PATH or set $GROUND_MODEL")
        }
        grounder.frameGrids = request.grids
        var items = try BatchInput.items(of: request.inputs.map(BatchInput.init(argument:)))
        guard !items.isEmpty else {
            throw GroundError("no utterances found in \(request.inputs.joined(separator: ", "))")
        }
        items = items.filter { request.shard.contains($0.id) }
        if let limit = request.limit { items = Array(items.prefix(limit)) }

        let writer: LineAppender
        var skipped = 0
        if let path = request.outputPath {
            if request.resume {
                let resume = try BatchResume(path: path, retrying: Set(items.map(\.id)))
                skipped = items.count
                items.removeAll { resume.completed.contains($0.id) }
                skipped -= items.count
                if !request.quiet { note(resume, path: path) }
            }
            writer = try LineAppender(path: path, create: !request.resume)
        } else {
            writer = .standardOutput()
        }

        let progress = Progress(quiet: request.quiet)
        var tally = BatchTally(total: items.count)
        try BatchRunner(grounder: grounder, jobs: request.jobs, threadsPerJob: request.threads).run(items) { record in
            try writer.append(record.line)
            tally.add(record)
            progress.update(tally.status(elapsed: progress.elapsed, bar: progress.interactive), force: tally.done == tally.total)
        }
        try writer.sync()
        progress.finish()
        if !request.quiet {
            FileHandle.standardError.write(Data((tally.summary(skipped: skipped, elapsed: progress.elapsed) + "\n").utf8))
        }
        if tally.failed > 0 {
            throw GroundError(
                "\(tally.failed) of \(count(tally.total, "utterance")) failed; their error records are in \(request.outputPath ?? "the output")")
        }
    }

    /// Checks the options; every problem is a `UsageError` before the model or any input is read.
    static func validate(_ parsed: ParsedArguments) throws -> Request {
        guard !parsed.positionals.isEmpty else { throw UsageError("no input given: name folders, manifests or lists") }
        guard let output = parsed.value("output") else { throw UsageError("--output is required (- for standard output)") }
        let outputPath = output == "-" ? nil : output
        let resume = parsed.has("resume")
        if let outputPath {
            _ = try OutputDestination(path: outputPath)
            if !resume, FileManager.default.fileExists(atPath: outputPath) {
                throw UsageError("\(outputPath): \(LineAppender.existsMessage)")
            }
        } else if resume {
            throw UsageError("--resume needs an output file, not standard output")
        }
        var shard = Shard.whole
        if let text = parsed.value("shard") {
            guard let parsedShard = Shard(text) else {
                throw UsageError("--shard must be I/N with 1 ≤ I ≤ N, got '\(text)'")
            }
            shard = parsedShard
        }
        return Request(
            inputs: parsed.positionals, outputPath: outputPath, modelPath: parsed.value("model"), resume: resume,
            jobs: try parsed.integer("jobs", in: 1...1024) ?? cores, shard: shard,
            threads: try parsed.integer("threads", in: 1...256) ?? 1,
            grids: try AlignCommand.frameGrids(parsed),
            limit: try parsed.integer("limit", in: 1...Int.max), quiet: parsed.has("quiet"))
    }

    /// One line about what `--resume` found, so a user sees that the earlier run counted.
    static func note(_ resume: BatchResume, path: String) {
        var parts = ["\(count(resume.completed.count, "utterance")) already aligned"]
        if resume.retried > 0 { parts.append("\(count(resume.retried, "error record")) removed to retry") }
        if resume.droppedTornLine { parts.append("a torn last line removed") }
        FileHandle.standardError.write(Data("batch: resuming \(path): \(parts.joined(separator: ", "))\n".utf8))
    }

    /// `1 utterance`, `2 utterances`.
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
