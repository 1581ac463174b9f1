import Foundation
import GroundCore

/// `ground eval`: the paper's metrics (§3.3) for a model on manifests, next to the no-learning
/// baseline, the query task's chance level and the random-words control.
enum EvalCommand {
    static let parser = ArgumentParser(options: [
        .option("model", short: "m", value: "PATH", default: "$GROUND_MODEL, else the bundled model", help: "model file"),
        .option("decoding", value: "guided|head", default: "guided", help: "transcript decoding: prior-guided peaks, or the head's own extractor"),
        AlignCommand.gridsOption,
        .option("data", value: "PATH[@SPLIT],...", help: "manifests to evaluate on"),
        .option("limit", value: "N", help: "at most N utterances per manifest"),
        .option("report", value: "PATH", help: "also write the figures as JSON here"),
        .option("seed", value: "N", default: "1", help: "choice of query words and control words"),
        .option("threads", short: "j", value: "N", default: String(ProcessInfo.processInfo.activeProcessorCount), help: "threads for decoding"),
        .flag("quiet", help: "no progress on stderr"),
        .flag("help", short: "h", help: "show this help"),
    ])

    static func run(_ arguments: [String]) throws {
        let parsed = try parser.parse(arguments)
        if parsed.has("help") {
            return print("USAGE: ground eval --model PATH --data PATH[@SPLIT],... [options]\n\nOPTIONS:\n\(parser.helpText())")
        }
        guard let dataText = parsed.value("data") else { throw UsageError("--data is required") }
        guard let modelPath = BundledModel.path(option: parsed.value("model")) else {
            throw UsageError("no model: pass --model PATH")
        }
        guard let decoding = Grounder.TranscriptDecoding(rawValue: parsed.value("decoding") ?? "guided") else {
            throw UsageError("--decoding must be guided or head")
        }
        let specs = try DataSpec.parse(dataText, option: "data")
        let limit = try parsed.integer("limit", in: 1...10_000_000)
        let seed = UInt64(try parsed.integer("seed", in: 0...Int.max) ?? 1)
        let threads = try parsed.integer("threads", in: 1...256) ?? ProcessInfo.processInfo.activeProcessorCount
        let destination = try parsed.value("report").map { try OutputDestination(path: $0) }
        let grounder = try Grounder(path: modelPath)
        grounder.transcriptDecoding = decoding
        grounder.frameGrids = try AlignCommand.frameGrids(parsed)
        let progress = Progress(quiet: parsed.has("quiet"))
        var reports: [[String: Any]] = []
        for spec in specs {
            let store = try loadFeatures(
                spec.utterances(limit: limit), config: grounder.model.config.features, threads: threads, label: spec.description,
                progress: progress)
            let lexicon = Array(Set(store.utterances.flatMap { $0.words.map(\.word) })).sorted()
            let report = try Evaluator(grounder: grounder, lexicon: lexicon, seed: seed).evaluate(store) { done, total in
                progress.update("\(spec.description): evaluating \(done)/\(total)")
            }
            progress.finish()
            print(table(report, title: "\(spec.description) — \(report.utterances) utterances, model \(grounder.name)"))
            reports.append(["data": spec.description, "model": modelPath].merging(fields(report)) { $1 })
        }
        if let destination {
            let data = try JSONSerialization.data(withJSONObject: reports, options: [.prettyPrinted, .sortedKeys])
            try destination.write(String(decoding: data, as: UTF8.self) + "\n")
        }
    }

    static func percent(_ share: Double) -> String { String(format: "%5.1f %%", 100 * share) }

    static func row(_ name: String, _ m: TimingMetrics) -> String {
        name.padding(toLength: 34, withPad: " ", startingAt: 0)
            + "\(percent(m.share20))  \(percent(m.share40))  \(percent(m.share100))  "
            + String(format: "%7.3f s  %6d", m.meanAbsoluteDeviation, m.count)
    }

    static func table(_ r: Evaluator.Report, title: String) -> String {
        var lines = [title, "".padding(toLength: 34, withPad: " ", startingAt: 0) + "≤20 ms   ≤40 ms   ≤100 ms      MAD       n"]
        lines.append(row("transcript: word starts", r.transcript.starts))
        lines.append(row("transcript: word ends", r.transcript.ends))
        for (bucket, m) in r.transcript.startsByWords.sorted(by: { $0.key.count == $1.key.count ? $0.key < $1.key : $0.key.count < $1.key.count }) {
            lines.append(row("  starts, \(bucket)", m))
        }
        for (bucket, m) in r.transcript.startsByDuration.sorted(by: { $0.key < $1.key }) { lines.append(row("  starts, \(bucket)", m)) }
        lines.append(row("no-learning baseline: starts", r.baselineTranscript))
        lines.append(row("control, random words: starts", r.randomWordsControl))
        lines.append(row("query (1st occurrence): starts", r.query.starts))
        lines.append(row("query: ends", r.query.ends))
        lines.append(
            "query chance (a random word onset)".padding(toLength: 34, withPad: " ", startingAt: 0)
                + "\(percent(r.queryChance.within20))  \(percent(r.queryChance.within40))  \(percent(r.queryChance.within100))")
        lines.append(row("all occurrences: starts", r.allOccurrencesStarts))
        lines.append(
            "all occurrences: right count".padding(toLength: 34, withPad: " ", startingAt: 0)
                + "\(percent(Double(r.allOccurrences.exactCount) / Double(max(1, r.allOccurrences.queries))))"
                + "  of \(r.allOccurrences.queries) queries")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line for training logs: transcript and query starts within 20/40/100 ms.
    static func summary(_ r: Evaluator.Report) -> String {
        func s(_ m: TimingMetrics) -> String {
            String(format: "%.1f/%.1f/%.1f", 100 * m.share20, 100 * m.share40, 100 * m.share100)
        }
        return "transcript \(s(r.transcript.starts)) (control \(s(r.randomWordsControl)), baseline \(s(r.baselineTranscript)))"
            + "  query \(s(r.query.starts)) (chance " + String(format: "%.1f", 100 * r.queryChance.within40) + " @40)"
    }

    static func metricFields(_ m: TimingMetrics) -> [String: Any] {
        ["within_20ms": m.share20, "within_40ms": m.share40, "within_100ms": m.share100, "mad_seconds": m.meanAbsoluteDeviation, "count": m.count]
    }

    static func fields(_ r: Evaluator.Report) -> [String: Any] {
        [
            "utterances": r.utterances,
            "transcript_starts": metricFields(r.transcript.starts), "transcript_ends": metricFields(r.transcript.ends),
            "transcript_starts_by_words": r.transcript.startsByWords.mapValues(metricFields),
            "transcript_starts_by_duration": r.transcript.startsByDuration.mapValues(metricFields),
            "baseline_transcript_starts": metricFields(r.baselineTranscript),
            "control_random_words_starts": metricFields(r.randomWordsControl),
            "query_starts": metricFields(r.query.starts), "query_ends": metricFields(r.query.ends),
            "all_occurrences_exact_count": Double(r.allOccurrences.exactCount) / Double(max(1, r.allOccurrences.queries)),
            "all_occurrences_starts": metricFields(r.allOccurrencesStarts),
            "query_chance": ["within_20ms": r.queryChance.within20, "within_40ms": r.queryChance.within40, "within_100ms": r.queryChance.within100],
            "seconds": r.seconds,
        ]
    }
}
