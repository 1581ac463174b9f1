import Foundation
import GroundCore

/// `ground bench [features]`: speed and memory figures, printed as a table. Not a test: numbers
/// depend on the machine.
enum BenchCommand {
    static let parser = ArgumentParser(options: [
        .option("duration", value: "SECONDS", default: "600", help: "length of the benchmark audio"),
        .option(
            "threads", short: "j", value: "N", default: String(ProcessInfo.processInfo.activeProcessorCount),
            help: "largest thread count to measure"),
        .flag("help", short: "h", help: "show this help"),
    ])

    static let suites = ["features"]

    static func run(_ arguments: [String]) throws {
        let parsed = try parser.parse(arguments)
        if parsed.has("help") {
            return print(
                """
                USAGE: ground bench [\(suites.joined(separator: "|"))] [options]

                OPTIONS:
                \(parser.helpText())
                """)
        }
        let requested = parsed.positionals.isEmpty ? suites : parsed.positionals
        for suite in requested where !suites.contains(suite) {
            throw UsageError("unknown benchmark '\(suite)'; available: \(suites.joined(separator: ", "))")
        }
        let threads = try parsed.integer("threads", in: 1...256) ?? ProcessInfo.processInfo.activeProcessorCount
        let duration = try parsed.seconds("duration") ?? 600
        guard duration >= 1 else { throw UsageError("--duration must be at least 1 second") }
        if requested.contains("features") { try features(duration: duration, threads: threads) }
    }

    static func features(duration: Double, threads: Int) throws {
        let result = try FeatureBenchmark.run(duration: duration, threads: threads)
        let config = FeatureConfig()
        print("features: \(format(result.audioSeconds, 1)) s of audio (\(result.inputDescription))")
        print(
            "  decode + mix down + resample to \(config.sampleRate / 1000) kHz: \(format(result.decodeSeconds, 3)) s, "
                + "\(format(result.audioSeconds / result.decodeSeconds, 0)) s of audio per second")
        for (count, seconds) in result.featureSeconds {
            print(
                "  log-mel (\(config.melBins) bins, \(config.hopLength * 1000 / config.sampleRate) ms hop), "
                    + "\(count) thread\(count == 1 ? "" : "s"): \(format(seconds, 3)) s, "
                    + "\(format(result.audioSeconds / seconds, 0)) s of audio per second")
        }
        print("  features: \(format(Double(result.featureBytes) / 1_048_576, 1)) MiB")
        print("  peak resident memory: \(format(Double(result.peakResidentBytes) / 1_048_576, 1)) MiB")
    }

    static func format(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
