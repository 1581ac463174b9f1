import Foundation

/// One clip with its task and the event times the heads should find.
public struct TrainingExample: Sendable {
    public var features: FeatureMatrix
    /// The encoded task (`Vocabulary.encode`).
    public var tokens: [Int32]
    /// Event times in seconds from the clip's start: channel 0 (word starts) and channel 1 (ends).
    public var starts: [Double]
    public var ends: [Double]
    /// CTC labels of everything said in the clip (empty: no CTC loss for this clip).
    public var transcriptLabels: [Int]

    public init(features: FeatureMatrix, tokens: [Int32], starts: [Double], ends: [Double], transcriptLabels: [Int] = []) {
        self.features = features
        self.tokens = tokens
        self.starts = starts
        self.ends = ends
        self.transcriptLabels = transcriptLabels
    }

    /// Audio seconds in the clip.
    public func duration(config: ModelConfig) -> Double { Double(features.frames) * config.features.frameDuration }
}

/// Loss of one example from the head's output: channel c gets the events of `events[c]`.
///
/// Poisson: eq. 5 per channel divided by n (an average per event, so long transcripts do not
/// outweigh single-word queries), plus the count term with weight `countWeight`. Binary:
/// class-weighted BCE per channel. Channels are summed.
public struct FrameLoss: Sendable {
    public var head: ModelConfig.HeadKind
    public var countWeight: Double

    public init(head: ModelConfig.HeadKind, countWeight: Double = 0.1) {
        self.head = head
        self.countWeight = countWeight
    }

    /// ℒ of one example; accumulates scale · ∂ℒ/∂logits into `gradient` (T, channels) when given.
    public func loss(
        logits: UnsafePointer<Float>, frames: Int, channels: Int, events: [[Double]], frameDuration: Double,
        scale: Double = 1, gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        var total = 0.0
        var column = [Float](repeating: 0, count: frames)
        var columnGradient = [Float](repeating: 0, count: frames)
        for channel in 0..<min(channels, events.count) {
            let times = events[channel].map { $0 / frameDuration }
            for k in 0..<frames { column[k] = logits[k &* channels &+ channel] }
            for k in 0..<frames { columnGradient[k] = 0 }
            // Poisson: eq. 5 per event; the count term keeps its own weight.
            let perEvent = head == .poisson ? 1 / Double(max(1, times.count)) : 1
            let value: Double = column.withUnsafeBufferPointer { z in
                columnGradient.withUnsafeMutableBufferPointer { g in
                    let target = gradient == nil ? nil : g.baseAddress
                    switch head {
                    case .poisson:
                        return PoissonHead.loss(
                            logIntensity: z.baseAddress!, frames: frames, events: times,
                            countWeight: countWeight / perEvent, gradient: target)
                    case .binary:
                        return BinaryHead.loss(logits: z.baseAddress!, frames: frames, events: times, gradient: target)
                    }
                }
            }
            total += value * perEvent
            if let gradient {
                let factor = Float(scale * perEvent)
                for k in 0..<frames { gradient[k &* channels &+ channel] += factor * columnGradient[k] }
            }
        }
        return total
    }
}

/// Data-parallel training on the CPU: a batch is split over `threads` workers by example, each
/// example's gradient accumulates into one of `gradientSlots` buffers (example e → slot e mod S,
/// in order), and the slots are summed in order, so the update is identical for any thread count.
public final class Trainer {
    public let model: GroundingModel
    public var optimizer: AdamW
    public var schedule: LearningRateSchedule
    public var lossFunction: FrameLoss
    /// Weight of the auxiliary CTC loss (per character) when the model has a CTC head.
    public var ctcWeight: Double = 0.5
    public var maxGradientNorm: Float = 1
    public let threads: Int
    public static let gradientSlots = 4
    private let slots: [FloatBuffer]

    public struct StepResult: Sendable {
        public var loss: Double
        public var gradientNorm: Float
        public var learningRate: Float
        public var audioSeconds: Double
        public var seconds: Double
    }

    public init(
        model: GroundingModel, schedule: LearningRateSchedule, lossFunction: FrameLoss? = nil,
        hyperparameters: AdamW.Hyperparameters = AdamW.Hyperparameters(), optimizer: AdamW? = nil, threads: Int = 1
    ) {
        self.model = model
        self.schedule = schedule
        self.lossFunction = lossFunction ?? FrameLoss(head: model.config.head)
        self.optimizer = optimizer ?? AdamW(layout: model.layout.parameters, hyperparameters: hyperparameters)
        self.threads = max(1, min(threads, Self.gradientSlots))
        slots = (0..<Self.gradientSlots).map { _ in FloatBuffer(count: model.layout.parameters.count) }
    }

    /// Mean loss of a batch and its gradient (in `gradients`, overwritten), without updating.
    public func lossAndGradient(_ batch: [TrainingExample], into gradients: FloatBuffer) -> Double {
        precondition(!batch.isEmpty)
        let used = min(Self.gradientSlots, batch.count)
        var losses = [Double](repeating: 0, count: batch.count)
        let lock = NSLock()
        var nextSlot = 0
        let scale = 1 / Double(batch.count)
        losses.withUnsafeMutableBufferPointer { lossBuffer in
            let lossPointer = lossBuffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: min(threads, used)) { _ in
                while true {
                    lock.lock()
                    let slot = nextSlot
                    nextSlot += 1
                    lock.unlock()
                    guard slot < used else { return }
                    let gradient = slot == 0 ? gradients : slots[slot]
                    gradient.zero()
                    for e in stride(from: slot, to: batch.count, by: Self.gradientSlots) {
                        lossPointer[e] = exampleLoss(batch[e], scale: scale, gradient: gradient)
                    }
                }
            }
        }
        for slot in 1..<used {
            let source = slots[slot].pointer, target = gradients.pointer
            for i in 0..<gradients.count { target[i] += source[i] }
        }
        return losses.reduce(0, +) * scale
    }

    /// One optimiser step on `batch`.
    @discardableResult
    public func step(_ batch: [TrainingExample]) -> StepResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let gradients = slots[0]
        let loss = lossAndGradient(batch, into: gradients)
        let norm = clipGradientNorm(gradients, maxNorm: maxGradientNorm)
        let rate = schedule.rate(at: optimizer.step)
        if norm.isFinite { optimizer.update(parameters: model.parameters, gradients: gradients, learningRate: rate) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let audio = batch.reduce(0) { $0 + $1.duration(config: model.config) }
        return StepResult(loss: loss, gradientNorm: norm, learningRate: rate, audioSeconds: audio, seconds: seconds)
    }

    /// Loss of one example without a backward pass.
    public func loss(_ example: TrainingExample) -> Double {
        exampleLoss(example, scale: 1, gradient: nil)
    }

    private func exampleLoss(_ example: TrainingExample, scale: Double, gradient: FloatBuffer?) -> Double {
        let config = model.config
        let frames = max(1, (example.features.frames + config.framesPerStep - 1) / config.framesPerStep)
        let workspace = ModelWorkspace(config: config, frames: frames, tokens: example.tokens.count, training: gradient != nil)
        let logits = model.forward(features: example.features, tokens: example.tokens, workspace: workspace)
        let channels = config.headChannels
        let dLogits = gradient.map { _ in FloatBuffer(count: frames * channels) }
        var loss = lossFunction.loss(
            logits: logits.pointer, frames: frames, channels: channels, events: [example.starts, example.ends],
            frameDuration: config.frameDuration, scale: scale, gradient: dLogits?.pointer)
        if let ctcLogits = workspace.ctcLogits {
            workspace.dCTCLogits?.zero()
            if !example.transcriptLabels.isEmpty {
                // Per character, so long clips do not outweigh short ones.
                let perLabel = ctcWeight / Double(example.transcriptLabels.count)
                let ctc = CTCHead.loss(
                    logits: ctcLogits.pointer, frames: frames, classes: config.ctcClasses,
                    labels: example.transcriptLabels, scale: scale * perLabel, gradient: workspace.dCTCLogits?.pointer)
                // A clip too short for its characters gives +∞ and no gradient: skip its CTC term.
                if ctc.isFinite { loss += ctc * perLabel }
            }
        }
        if let gradient, let dLogits {
            model.backward(dLogits: dLogits.pointer, workspace: workspace, gradients: gradient)
        }
        return loss
    }
}
