import Foundation
import GroundCore

/// `ground train`: trains a model on manifests, with periodic evaluation, atomic checkpoints and
/// exact `--resume`.
enum TrainCommand {
    static let parser = ArgumentParser(options: [
        .option("data", value: "PATH[@SPLIT][:W],...", help: "training manifests, split and mixing weight"),
        .option("dev", value: "PATH[@SPLIT],...", help: "development manifests for periodic evaluation"),
        .option("out", short: "o", value: "DIR", help: "run folder: checkpoint, model, logs"),
        .option("head", value: "poisson|binary", default: "poisson", help: "frame head"),
        .option("size", value: "NAME", default: "default", help: "model size: \(ModelConfig.presetNames.joined(separator: ", "))"),
        .option("tasks", value: "KIND:W,...", default: "transcript:1,query:1,absent:0.2,partial:0.5", help: "task mix"),
        .option("steps", value: "N", default: "20000", help: "optimiser steps"),
        .option("batch", value: "N", default: "16", help: "clips per step"),
        .option("lr", value: "RATE", default: "0.001", help: "peak learning rate"),
        .option("warmup", value: "N", default: "500", help: "warm-up steps"),
        .option("count-weight", value: "W", default: "0.1", help: "weight of the Poisson count term"),
        .option("ctc-weight", value: "W", default: "0.5", help: "weight of the encoder's CTC loss (with --ctc)"),
        .flag("ctc", help: "add a CTC character head to the encoder"),
        .flag("prior", help: "feed the decoder the CTC alignment prior of the task's text (implies --ctc)"),
        .option("lexicon", value: "PATH", help: "CMU-format pronouncing dictionary: the CTC head emits phones for its words (stored in the model)"),
        .option("max-seconds", value: "S", default: "15", help: "longest training clip"),
        .option("seed", value: "N", default: "1", help: "initialisation and data order"),
        .option("eval-every", value: "N", default: "500", help: "steps between development evaluations"),
        .option("dev-limit", value: "N", default: "200", help: "development utterances per evaluation"),
        .option("checkpoint-every", value: "N", default: "200", help: "steps between checkpoints"),
        .option("threads", short: "j", value: "N", default: String(ProcessInfo.processInfo.activeProcessorCount), help: "worker threads"),
        .flag("resume", help: "continue from DIR/checkpoint.ground"),
        .option("init", value: "MODEL", help: "start from this model's weights (fresh optimiser and schedule; its size, head and prior are kept)"),
        .flag("quiet", help: "no progress on stderr"),
        .flag("help", short: "h", help: "show this help"),
    ])

    static func run(_ arguments: [String]) throws {
        let parsed = try parser.parse(arguments)
        if parsed.has("help") {
            return print("USAGE: ground train --data PATH[@SPLIT][:W],... --out DIR [options]\n\nOPTIONS:\n\(parser.helpText())")
        }
        guard parsed.positionals.isEmpty else { throw UsageError("unexpected argument '\(parsed.positionals[0])'") }
        guard let dataText = parsed.value("data") else { throw UsageError("--data is required") }
        guard let out = parsed.value("out") else { throw UsageError("--out is required") }
        let data = try DataSpec.parse(dataText, option: "data")
        let dev = try parsed.value("dev").map { try DataSpec.parse($0, option: "dev") } ?? []
        let threads = try parsed.integer("threads", in: 1...256) ?? ProcessInfo.processInfo.activeProcessorCount
        let steps = try parsed.integer("steps", in: 1...10_000_000) ?? 20_000
        let batch = try parsed.integer("batch", in: 1...4096) ?? 16
        let warmup = try parsed.integer("warmup", in: 0...10_000_000) ?? 500
        let seed = UInt64(try parsed.integer("seed", in: 0...Int.max) ?? 1)
        let evalEvery = try parsed.integer("eval-every", in: 1...10_000_000) ?? 500
        let devLimit = try parsed.integer("dev-limit", in: 1...1_000_000) ?? 200
        let checkpointEvery = try parsed.integer("checkpoint-every", in: 1...10_000_000) ?? 200
        guard let rate = Float(parsed.value("lr") ?? "0.001"), rate > 0 else { throw UsageError("--lr must be a positive number") }
        guard let countWeight = Double(parsed.value("count-weight") ?? "0.1"), countWeight >= 0 else {
            throw UsageError("--count-weight must be ≥ 0")
        }
        let maxSeconds = try parsed.seconds("max-seconds") ?? 15
        let tasks = try taskWeights(parsed.value("tasks") ?? "transcript:1,query:1,absent:0.2,partial:0.5")
        let headName = parsed.value("head") ?? "poisson"
        guard let head = ModelConfig.HeadKind(rawValue: headName) else { throw UsageError("--head must be poisson or binary") }
        let sizeName = parsed.value("size") ?? "default"
        guard var config = ModelConfig.preset(sizeName) else {
            throw UsageError("unknown --size '\(sizeName)'; available: \(ModelConfig.presetNames.joined(separator: ", "))")
        }
        config.head = head
        config.ctcHead = parsed.has("ctc") || parsed.has("prior")
        config.alignmentPrior = parsed.has("prior")
        if let lexicon = parsed.value("lexicon") {
            guard config.ctcHead else { throw UsageError("--lexicon needs --ctc or --prior") }
            config.pronunciations = try Pronunciations(cmuDictionaryAt: lexicon)
        }
        guard let ctcWeight = Double(parsed.value("ctc-weight") ?? "0.5"), ctcWeight >= 0 else {
            throw UsageError("--ctc-weight must be ≥ 0")
        }
        let progress = Progress(quiet: parsed.has("quiet"))

        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let checkpointPath = out + "/checkpoint.ground", logPath = out + "/train.log"
        let hyperparameters = AdamW.Hyperparameters()
        let model: GroundingModel
        var optimizer: AdamW? = nil
        if parsed.has("resume") {
            let (loaded, state, _) = try Checkpoint.load(path: checkpointPath, hyperparameters: hyperparameters)
            guard loaded.config.head == head, loaded.config.ctcHead == config.ctcHead,
                loaded.config.alignmentPrior == config.alignmentPrior
            else { throw UsageError("--head, --ctc and --prior must match the checkpoint's model") }
            model = loaded
            optimizer = state
        } else {
            guard !FileManager.default.fileExists(atPath: checkpointPath) else {
                throw GroundError(file: checkpointPath, "a checkpoint exists: pass --resume to continue it, or choose another --out")
            }
            if let initPath = parsed.value("init") {
                guard !parsed.has("lexicon") else { throw UsageError("--lexicon cannot change an --init model's CTC labels") }
                model = try GroundingModel(file: try ModelFile.read(path: initPath), path: initPath)
                guard model.config.head == head, model.config.alignmentPrior == config.alignmentPrior else {
                    throw UsageError("--head and --prior must match the --init model's (\(model.config.head.rawValue), prior \(model.config.alignmentPrior))")
                }
            } else {
                model = try GroundingModel(config: config, seed: seed)
            }
        }

        // Data.
        var stores: [FeatureStore] = []
        for spec in data {
            let utterances = try spec.utterances(maxSeconds: maxSeconds)
            stores.append(try loadFeatures(utterances, config: model.config.features, threads: threads, label: spec.description, progress: progress))
        }
        let devStores = try dev.map { spec in
            try loadFeatures(spec.utterances(limit: devLimit), config: model.config.features, threads: threads, label: "dev " + spec.description, progress: progress)
        }
        let lexicon = Array(Set(stores.flatMap { $0.utterances.flatMap { $0.words.map(\.word) } })).sorted()
        let sampler = TaskSampler(weights: tasks, config: model.config, lexicon: lexicon)
        let weights = data.map(\.weight)

        let schedule = LearningRateSchedule(peak: rate, floor: rate / 20, warmupSteps: warmup, totalSteps: steps)
        let trainer = Trainer(
            model: model, schedule: schedule, lossFunction: FrameLoss(head: head, countWeight: countWeight),
            hyperparameters: hyperparameters, optimizer: optimizer, threads: threads)
        trainer.ctcWeight = ctcWeight
        let metadata = [
            "data": data.map(\.description).joined(separator: ","), "tasks": parsed.value("tasks") ?? "default",
            "size": sizeName, "seed": String(seed), "ctc": String(config.ctcHead), "prior": String(config.alignmentPrior),
            "ctc_weight": String(ctcWeight), "steps": String(steps), "batch": String(batch), "lr": String(rate),
            "init": parsed.value("init") ?? "none", "lexicon": parsed.value("lexicon") ?? "none",
        ]
        let log = try LogFile(path: logPath, append: parsed.has("resume"))
        if !parsed.has("resume") {
            log.write([
                "event": "start", "parameters": model.parameterCount, "train_seconds": stores.reduce(0) { $0 + $1.seconds },
                "lexicon": lexicon.count, "config": metadata,
            ])
        }

        // Audio seen so far: continued from the log when resuming.
        var audioSeen = parsed.has("resume") ? (LogFile.lastValue(path: logPath, key: "audio_hours") ?? 0) * 3600 : 0
        var smoothedLoss: Double?
        let startStep = trainer.optimizer.step
        let runStart = Date()
        while trainer.optimizer.step < steps {
            let step = trainer.optimizer.step
            var generator = SplitMix64(seed: seed &* 0x9E37_79B9 &+ UInt64(step))
            var examples: [TrainingExample] = []
            while examples.count < batch {
                let store = stores[pick(weights, &generator)]
                let index = Int(generator.next() % UInt64(store.count))
                if let (_, example) = sampler.example(utterance: store.utterances[index], features: store.features[index], generator: &generator) {
                    examples.append(example)
                }
            }
            let result = trainer.step(examples)
            audioSeen += result.audioSeconds
            smoothedLoss = smoothedLoss.map { 0.98 * $0 + 0.02 * result.loss } ?? result.loss
            let done = trainer.optimizer.step
            let perStep = Date().timeIntervalSince(runStart) / Double(done - startStep)
            progress.update(
                String(format: "step %d/%d  loss %.4f  lr %.2e  |g| %.2f  %.0f s audio/s  %.2f h seen  ETA %@", done, steps,
                       smoothedLoss!, result.learningRate, result.gradientNorm, result.audioSeconds / result.seconds,
                       audioSeen / 3600, Progress.duration(perStep * Double(steps - done))))
            if done % 20 == 0 || done == steps {
                log.write([
                    "event": "step", "step": done, "loss": result.loss, "smoothed_loss": smoothedLoss!, "lr": Double(result.learningRate),
                    "grad_norm": Double(result.gradientNorm), "audio_per_second": result.audioSeconds / result.seconds,
                    "audio_hours": audioSeen / 3600, "elapsed": Date().timeIntervalSince(runStart),
                ])
            }
            if done % checkpointEvery == 0 || done == steps {
                try Checkpoint.save(trainer: trainer, metadata: metadata, path: checkpointPath)
            }
            if !devStores.isEmpty, done % evalEvery == 0 || done == steps {
                progress.finish()
                let grounder = try Grounder(model: model, name: "step-\(done)")
                for (spec, store) in zip(dev, devStores) {
                    let report = try Evaluator(grounder: grounder, lexicon: lexicon, seed: 7).evaluate(store)
                    let line = EvalCommand.summary(report)
                    progress.update("dev \(spec.description) @ \(done): \(line)", force: true)
                    progress.finish()
                    log.write(["event": "dev", "step": done, "data": spec.description, "audio_hours": audioSeen / 3600]
                        .merging(EvalCommand.fields(report)) { $1 })
                }
            }
        }
        progress.finish()
        try model.file(metadata: metadata.merging(["step": String(trainer.optimizer.step)]) { $1 }).write(to: out + "/model.ground")
        progress.update("wrote \(out)/model.ground", force: true)
        progress.finish()
    }

    static func pick(_ weights: [Double], _ generator: inout SplitMix64) -> Int {
        var u = generator.nextUnitDouble() * weights.reduce(0, +)
        for (index, weight) in weights.enumerated() {
            u -= weight
            if u < 0 { return index }
        }
        return weights.count - 1
    }

    static func taskWeights(_ text: String) throws -> [TaskSampler.Kind: Double] {
        var weights: [TaskSampler.Kind: Double] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: ":")
            guard parts.count == 2, let kind = TaskSampler.Kind(rawValue: String(parts[0])), let weight = Double(parts[1]), weight >= 0 else {
                throw UsageError("--tasks: '\(item)' is not KIND:WEIGHT with KIND in \(TaskSampler.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            weights[kind] = weight
        }
        guard weights.values.contains(where: { $0 > 0 }) else { throw UsageError("--tasks: no task has a positive weight") }
        return weights
    }
}

/// An append-only JSONL log; each line is flushed as written, so a crash loses nothing finished.
final class LogFile {
    let handle: FileHandle

    init(path: String, append: Bool) throws {
        if !append || !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw GroundError(file: path, "cannot create the log file")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw GroundError(file: path, "cannot open the log file") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func write(_ fields: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }

    /// The last numeric value of `key` in a log, for resuming counters.
    static func lastValue(path: String, key: String) -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n").reversed() {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let value = object[key] as? Double
            {
                return value
            }
        }
        return nil
    }
}
