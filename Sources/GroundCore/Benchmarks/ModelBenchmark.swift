import Foundation

/// Speed and memory of the transformer: the GEMMs at the shapes the model runs, forward passes
/// over long clips, and training throughput (forward + backward + AdamW update).
public enum ModelBenchmark {
    /// The matrix products of one forward pass of `config` on `frames` frames and `tokens` tokens,
    /// with their multiplicity. Backward doubles them (an `nt` for dX and a `tn` for dW per `nn`).
    public static func forwardProducts(config: ModelConfig, frames t: Int, tokens l: Int) -> [(KernelBenchmark.Shape, count: Int)] {
        let d = config.modelDim, f = config.feedForwardDim, c = config.frontEndChannels
        let h = config.headDim, heads = config.heads, mel = config.features.melBins
        let steps = config.framesPerStep
        let band = min(t, 64 - 1 + 2 * config.attentionRadius + 1)
        let frameBlocks = config.encoderLayers + config.decoderLayers
        let queryBlocks = (t + 63) / 64
        return [
            (.init(.nn, m: steps * t, n: c, k: config.frontEndKernel * mel, label: "front-end conv"), 1),
            (.init(.nn, m: t, n: d, k: steps * c, label: "front-end merge"), 1),
            (.init(.nn, m: t, n: d, k: d, label: "frame q/k/v/o"), 4 * frameBlocks + 2 * config.decoderLayers),
            (.init(.nn, m: t, n: f, k: d, label: "frame MLP up"), frameBlocks),
            (.init(.nn, m: t, n: d, k: f, label: "frame MLP down"), frameBlocks),
            (.init(.nt, m: min(64, t), n: band, k: h, label: "local Q·Kᵀ per block"), frameBlocks * heads * queryBlocks),
            (.init(.nn, m: min(64, t), n: h, k: band, label: "local P·V per block"), frameBlocks * heads * queryBlocks),
            (.init(.nn, m: l, n: d, k: d, label: "text q/k/v/o, cross k/v"), 4 * config.textLayers + 2 * config.decoderLayers),
            (.init(.nn, m: l, n: f, k: d, label: "text MLP up"), config.textLayers),
            (.init(.nn, m: l, n: d, k: f, label: "text MLP down"), config.textLayers),
            (.init(.nt, m: t, n: l, k: h, label: "cross Q·Kᵀ"), config.decoderLayers * heads),
            (.init(.nn, m: t, n: h, k: l, label: "cross P·V"), config.decoderLayers * heads),
        ]
    }

    public static func forwardFLOPs(config: ModelConfig, frames: Int, tokens: Int) -> Double {
        forwardProducts(config: config, frames: frames, tokens: tokens).reduce(0) { $0 + $1.0.flops * Double($1.count) }
    }

    public struct ForwardResult: Sendable {
        public var seconds: Double  // clip length
        public var frames: Int
        public var wallSeconds: Double
        public var gflops: Double
        public var peakResidentBytes: Int
    }

    /// Time of one inference forward pass on a `seconds`-long clip of noise (best of `repeats`).
    public static func forward(model: GroundingModel, seconds: Double, tokens: Int = 12, repeats: Int = 3) -> ForwardResult {
        let config = model.config
        let melFrames = Int(seconds / config.features.frameDuration)
        let frames = (melFrames + config.framesPerStep - 1) / config.framesPerStep
        let (features, ids) = input(config: config, melFrames: melFrames, tokens: tokens)
        var best = Double.infinity
        for _ in 0..<repeats {
            let (_, wall) = ResourceUsage.time {
                let workspace = ModelWorkspace(config: config, frames: frames, tokens: tokens, training: false)
                model.forward(features: features, tokens: ids, workspace: workspace)
            }
            best = min(best, wall)
        }
        return ForwardResult(
            seconds: seconds, frames: frames, wallSeconds: best,
            gflops: forwardFLOPs(config: config, frames: frames, tokens: tokens) / best / 1e9,
            peakResidentBytes: ResourceUsage.peakResidentBytes())
    }

    public struct TrainingResult: Sendable {
        public var threads: Int
        public var batch: Int
        public var clipSeconds: Double
        public var stepSeconds: Double
        public var audioSecondsPerSecond: Double
        /// Forward + backward GEMM FLOPs (3× forward) divided by the step time.
        public var gflops: Double
    }

    /// Training steps on `batch` clips of `clipSeconds` each (best of `steps` after one warm-up).
    public static func training(
        model: GroundingModel, threads: Int, batch: Int = 8, clipSeconds: Double = 10, tokens: Int = 60, steps: Int = 3
    ) -> TrainingResult {
        let config = model.config
        let melFrames = Int(clipSeconds / config.features.frameDuration)
        let frames = (melFrames + config.framesPerStep - 1) / config.framesPerStep
        let examples = (0..<batch).map { index -> TrainingExample in
            let (features, ids) = input(config: config, melFrames: melFrames, tokens: tokens, seed: UInt64(index))
            let starts = stride(from: 0.3, to: clipSeconds - 0.5, by: 0.4).map { $0 }
            return TrainingExample(features: features, tokens: ids, starts: starts, ends: starts.map { $0 + 0.25 })
        }
        let trainer = Trainer(
            model: model, schedule: LearningRateSchedule(peak: 1e-4, warmupSteps: 1, totalSteps: 100), threads: threads)
        trainer.step(examples)
        var best = Double.infinity
        for _ in 0..<steps { best = min(best, trainer.step(examples).seconds) }
        let flops = 3 * forwardFLOPs(config: config, frames: frames, tokens: tokens) * Double(batch)
        return TrainingResult(
            threads: threads, batch: batch, clipSeconds: clipSeconds, stepSeconds: best,
            audioSecondsPerSecond: Double(batch) * clipSeconds / best, gflops: flops / best / 1e9)
    }

    /// Standardised-looking noise features and random tokens.
    static func input(config: ModelConfig, melFrames: Int, tokens: Int, seed: UInt64 = 1) -> (FeatureMatrix, [Int32]) {
        var generator = SplitMix64(seed: seed)
        let values = (0..<(melFrames * config.features.melBins)).map { _ in Float(-8 + 6 * generator.nextUnitDouble()) }
        let ids = (0..<tokens).map { _ in Int32(generator.next() % UInt64(config.vocabulary.count)) }
        return (FeatureMatrix(values: values, frames: melFrames, bins: config.features.melBins), ids)
    }
}
