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

    static let suites = ["features", "kernels", "model", "extraction"]

    static func run(_ arguments: [String]) throws {
        let parsed = try parser.parse(arguments)
        if parsed.has("help") {
            return print(
                """
                USAGE: ground bench [\(suites.joined(separator: "|"))]... [options]

                features: decoding, resampling and log-mel on a long file
                kernels:  GEMM at the model's shapes, FMA peak, vector math
                model:    forward passes on 10 s and 60 s clips, training throughput
                extraction: timestamps from 1 h of frames with 10,000 events

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
        if requested.contains("kernels") { kernels(threads: threads) }
        if requested.contains("model") { try model(threads: threads) }
        if requested.contains("extraction") { extraction() }
    }

    /// One hour of 40 ms frames (90,000) and 10,000 events.
    static func extraction() {
        let result = ExtractionBenchmark.run()
        print("extraction: \(result.frames) frames (1 h at 40 ms), \(result.events) events")
        print("  posterior modes (eqs. 6–8), all events: \(format(result.posteriorModeSeconds * 1000, 1)) ms")
        print("  confidences, all events: \(format(result.confidenceSeconds * 1000, 1)) ms")
        print("  top-k (k = events): \(format(result.topKSeconds * 1000, 1)) ms")
        print("  for comparison, scanning every frame for every event: \(format(result.naiveSeconds, 1)) s (extrapolated)")
    }

    /// GFLOP/s of every GEMM form at the shapes a default model runs on a 10 s clip (250 frames)
    /// and a 60 s clip, next to the measured FMA peak: one thread, and `threads` threads each
    /// running the same product at once (how training uses the cores: one example per thread).
    static func kernels(threads: Int) {
        let config = ModelConfig()
        var shapes: [KernelBenchmark.Shape] = []
        for frames in [250, 1_500] {
            for (shape, _) in ModelBenchmark.forwardProducts(config: config, frames: frames, tokens: 60) {
                shapes.append(shape)
                // Each forward product has two backward forms: dX = dY·Wᵀ (nt) and dW = Xᵀ·dY (tn).
                if shape.form == .nn {
                    shapes.append(.init(.nt, m: shape.m, n: shape.k, k: shape.n, label: shape.label + " dX"))
                    shapes.append(.init(.tn, m: shape.k, n: shape.n, k: shape.m, label: shape.label + " dW"))
                }
            }
        }
        shapes = Array(Set(shapes)).sorted { ($0.m, $0.n, $0.k, $0.form.rawValue) < ($1.m, $1.n, $1.k, $1.form.rawValue) }
        let single = KernelBenchmark.run(shapes)
        let peak = KernelBenchmark.fmaPeakGFLOPS()
        var parallel = [[KernelBenchmark.Result]](repeating: [], count: threads)
        var parallelPeak = [Double](repeating: 0, count: threads)
        if threads > 1 {
            let lock = NSLock()
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                let results = KernelBenchmark.run(shapes)
                let fma = KernelBenchmark.fmaPeakGFLOPS()
                lock.lock()
                parallel[thread] = results
                parallelPeak[thread] = fma
                lock.unlock()
            }
        }
        let header = threads > 1 ? "1 thread | \(threads) threads (sum)" : "1 thread"
        print("kernels: GEMM micro-kernel \(Gemm.selectedMicroKernel), GFLOP/s \(header)")
        func both(_ one: Double, _ all: Double) -> String {
            threads > 1 ? "\(format(one, 1)) | \(format(all, 1))" : format(one, 1)
        }
        print("  FMA peak".padding(toLength: 54, withPad: " ", startingAt: 0) + both(peak, parallelPeak.reduce(0, +)))
        for (index, result) in single.enumerated() {
            let total = parallel.reduce(0) { $0 + ($1.isEmpty ? 0 : $1[index].gflops) }
            print("  \(result.name.padding(toLength: 52, withPad: " ", startingAt: 0)) " + both(result.gflops, total))
        }
        for result in KernelBenchmark.vectorMath(count: 1 << 16) {
            print("  \(result.name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(format(result.nanosecondsPerElement, 2)) ns/element")
        }
    }

    /// Forward passes of the default-size model (random weights) and training throughput.
    static func model(threads: Int) throws {
        let config = ModelConfig()
        let model = try GroundingModel(config: config, seed: 1)
        print("model: \(model.parameterCount) parameters, d=\(config.modelDim), \(config.encoderLayers) encoder + \(config.textLayers) text + \(config.decoderLayers) decoder layers")
        for seconds in [10.0, 60.0] {
            let result = ModelBenchmark.forward(model: model, seconds: seconds)
            print("  forward, \(format(seconds, 0)) s clip (\(result.frames) frames): \(format(result.wallSeconds * 1000, 1)) ms, "
                + "\(format(seconds / result.wallSeconds, 0))× real time, \(format(result.gflops, 1)) GFLOP/s, "
                + "peak resident \(format(Double(result.peakResidentBytes) / 1_048_576, 0)) MiB")
        }
        if threads > 1 {
            let (_, wall) = ResourceUsage.time {
                DispatchQueue.concurrentPerform(iterations: threads) { _ in _ = ModelBenchmark.forward(model: model, seconds: 60, repeats: 1) }
            }
            print("  forward, \(threads) clips of 60 s on \(threads) threads at once: \(format(wall * 1000, 1)) ms, "
                + "\(format(60 * Double(threads) / wall, 0))× real time in total")
        }
        let gemmRate = KernelBenchmark.run([.init(.nn, m: 250, n: 192, k: 192, label: "reference")]).first!.gflops
        for count in Set([1, threads]).sorted() {
            let result = ModelBenchmark.training(model: model, threads: count)
            print("  training, \(count) thread\(count == 1 ? "" : "s"), batch \(result.batch) × \(format(result.clipSeconds, 0)) s: "
                + "\(format(result.stepSeconds, 3)) s/step, \(format(result.audioSecondsPerSecond, 0)) s of audio per second, "
                + "\(format(result.gflops, 1)) GFLOP/s (\(format(gemmRate * Double(count) / result.gflops, 2))× the time of its GEMMs at \(format(gemmRate, 0)) GFLOP/s per thread)")
        }
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
