import Foundation
import GroundCore
import XCTest

final class ModelTests: XCTestCase {
    /// A model small enough for finite differences, with every kind of block and a local window
    /// smaller than the clip so the band's edges matter.
    static func tinyConfig(head: ModelConfig.HeadKind = .poisson) -> ModelConfig {
        var config = ModelConfig()
        config.features.melBins = 16
        config.frontEndChannels = 8
        config.modelDim = 16
        config.heads = 2
        config.feedForwardDim = 32
        config.encoderLayers = 1
        config.textLayers = 1
        config.decoderLayers = 1
        config.attentionRadius = 3
        config.head = head
        return config
    }

    static func example(frames: Int, config: ModelConfig, seed: UInt64, events: [Double]) -> TrainingExample {
        var generator = SplitMix64(seed: seed)
        let melFrames = frames * config.framesPerStep - 2  // not a multiple of 4: exercises padding
        var values = (0..<(melFrames * config.features.melBins)).map { _ in Float(-8 + 4 * (generator.nextUnitDouble() - 0.5)) }
        // A loud stripe at each event so the clips are learnable.
        for time in events {
            let melFrame = Int(time / config.features.frameDuration)
            for m in 0..<config.features.melBins where melFrame < melFrames { values[melFrame * config.features.melBins + m] += 4 }
        }
        // Two random two-letter words: 7 tokens (<transcript> <text> a b ␣ c d).
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let words = (0..<2).map { _ in String((0..<2).map { _ in letters[Int(generator.next() % 26)] }) }
        let tokens = try! config.vocabulary.encode(.transcript(words: words))
        return TrainingExample(
            features: FeatureMatrix(values: values, frames: melFrames, bins: config.features.melBins), tokens: tokens,
            starts: events, ends: events.map { $0 + 0.1 }, transcriptLabels: words.flatMap(Vocabulary.ctcLabels))
    }

    /// Every tensor's gradient against central differences along a random direction within that
    /// tensor (so a wrong formula anywhere shows in some tensor), and along one direction over all
    /// parameters. Float32 forward, Double loss: |analytic − numeric| ≤ 3 % of |numeric| + 3e-4.
    func testWholeModelGradient() throws {
        var withCTC = Self.tinyConfig()
        withCTC.ctcHead = true  // the trainer's CTC loss (the prior's path is checked below)
        for config in [Self.tinyConfig(head: .poisson), Self.tinyConfig(head: .binary), withCTC] {
            let head = "\(config.head)\(config.ctcHead ? " + CTC" : "")"
            let model = try GroundingModel(config: config, seed: 3)
            let trainer = Trainer(model: model, schedule: LearningRateSchedule(peak: 0, warmupSteps: 1, totalSteps: 1))
            let batch = [
                Self.example(frames: 11, config: config, seed: 1, events: [0.02, 0.21, 0.43]),
                Self.example(frames: 9, config: config, seed: 2, events: [0.3]),
            ]
            let gradients = FloatBuffer(count: model.layout.parameters.count)
            _ = trainer.lossAndGradient(batch, into: gradients)
            let scratch = FloatBuffer(count: gradients.count)
            func loss() -> Double { trainer.lossAndGradient(batch, into: scratch) }

            var generator = SplitMix64(seed: 99)
            var groups = model.layout.parameters.tensors.map { [$0] }
            groups.append(model.layout.parameters.tensors)
            for group in groups {
                var direction = [(index: Int, value: Float)]()
                for tensor in group {
                    for i in tensor.offset..<(tensor.offset + tensor.count) {
                        direction.append((i, Float(generator.nextUnitDouble() * 2 - 1)))
                    }
                }
                let norm = direction.reduce(0) { $0 + $1.value * $1.value }.squareRoot()
                let analytic = direction.reduce(0.0) { $0 + Double(gradients[$1.index] * $1.value / norm) }
                let epsilon: Float = 1e-2
                func shift(_ sign: Float) {
                    for (i, v) in direction { model.parameters[i] += sign * epsilon * v / norm }
                }
                shift(1)
                let plus = loss()
                shift(-2)
                let minus = loss()
                shift(1)
                let numeric = (plus - minus) / Double(2 * epsilon)
                let name = group.count == 1 ? group[0].name : "all parameters"
                XCTAssertEqual(analytic, numeric, accuracy: 0.03 * abs(numeric) + 3e-4, "\(head) \(name)")
            }
        }
    }

    /// The CTC head and the alignment prior's input path: ℒ = Σ r ⊙ logits + Σ r' ⊙ CTC logits with
    /// the prior held fixed (it is a constant of the backward pass), per tensor along a random
    /// direction. Same tolerance as above.
    func testGradientWithCTCHeadAndAlignmentPrior() throws {
        var config = Self.tinyConfig()
        config.ctcHead = true
        config.alignmentPrior = true
        let model = try GroundingModel(config: config, seed: 4)
        let example = Self.example(frames: 12, config: config, seed: 5, events: [0.1])
        let workspace = ModelWorkspace(config: config, frames: 12, tokens: example.tokens.count, training: true)
        var generator = SplitMix64(seed: 8)
        let r = (0..<(12 * config.headChannels)).map { _ in Float(generator.nextUnitDouble() - 0.5) }
        let rCTC = (0..<(12 * Vocabulary.ctcClasses)).map { _ in Float(generator.nextUnitDouble() - 0.5) }
        func loss() -> Double {
            let logits = model.forward(features: example.features, tokens: example.tokens, workspace: workspace)
            var sum = 0.0
            for i in 0..<r.count { sum += Double(r[i] * logits[i]) }
            for i in 0..<rCTC.count { sum += Double(rCTC[i] * workspace.ctcLogits![i]) }
            return sum
        }
        _ = loss()
        XCTAssertTrue(workspace.prior!.array.contains { $0 != 0 }, "the prior must be computed")
        workspace.freezesPrior = true
        workspace.dCTCLogits!.copy(from: rCTC)
        let gradients = FloatBuffer(count: model.layout.parameters.count)
        r.withUnsafeBufferPointer { model.backward(dLogits: $0.baseAddress!, workspace: workspace, gradients: gradients) }
        for tensor in model.layout.parameters.tensors {
            let direction = (0..<tensor.count).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
            let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let analytic = (0..<tensor.count).reduce(0.0) { $0 + Double(gradients[tensor.offset + $1] * direction[$1] / norm) }
            func shift(_ amount: Float) {
                for i in 0..<tensor.count { model.parameters[tensor.offset + i] += amount * direction[i] / norm }
            }
            shift(1e-2)
            let plus = loss()
            shift(-2e-2)
            let minus = loss()
            shift(1e-2)
            let numeric = (plus - minus) / 2e-2
            XCTAssertEqual(analytic, numeric, accuracy: 0.03 * abs(numeric) + 3e-4, tensor.name)
        }
    }

    /// A tiny model memorises four clips: the loss falls by more than 90 %. (One event per channel,
    /// so the loss can approach 0; with n events in distinct frames eq. 5 bottoms out at n log n.)
    func testTinyModelOverfits() throws {
        var config = Self.tinyConfig()
        config.modelDim = 32
        config.feedForwardDim = 64
        let model = try GroundingModel(config: config, seed: 7)
        let trainer = Trainer(
            model: model, schedule: LearningRateSchedule(peak: 3e-3, warmupSteps: 10, totalSteps: 300),
            lossFunction: FrameLoss(head: .poisson, countWeight: 0), threads: 2)
        trainer.maxGradientNorm = 5
        let batch = (0..<4).map { Self.example(frames: 30, config: config, seed: UInt64(10 + $0), events: [0.2 + 0.15 * Double($0)]) }
        let first = trainer.step(batch).loss
        var last = first
        for _ in 0..<300 { last = trainer.step(batch).loss }
        XCTAssertLessThan(last, 0.1 * first, "loss \(first) → \(last)")
    }

    func testModelFileRoundTripGivesIdenticalOutputs() throws {
        let config = Self.tinyConfig()
        let model = try GroundingModel(config: config, seed: 5)
        let example = Self.example(frames: 20, config: config, seed: 3, events: [0.5])
        for storage in [ModelFile.Storage.f32, .f16] {
            let loaded = try GroundingModel(file: try ModelFile.decode(try model.file(storage: storage).encoded()))
            let a = model.forward(features: example.features, tokens: example.tokens,
                                  workspace: ModelWorkspace(config: config, frames: 20, tokens: example.tokens.count, training: false)).array
            let b = loaded.forward(features: example.features, tokens: example.tokens,
                                   workspace: ModelWorkspace(config: config, frames: 20, tokens: example.tokens.count, training: false)).array
            if storage == .f32 {
                XCTAssertEqual(a, b)
            } else {
                for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 0.05) }
            }
        }
    }

    func testMissingOrMisshapenTensorIsRejected() throws {
        let model = try GroundingModel(config: Self.tinyConfig(), seed: 5)
        var file = model.file()
        file.tensors.removeLast()
        XCTAssertThrowsError(try GroundingModel(file: file)) { XCTAssertTrue("\($0)".contains("lacks tensor 'head.bias'")) }
        file = model.file()
        file.tensors[0].tensor = .init(shape: [1], values: [0])
        XCTAssertThrowsError(try GroundingModel(file: file)) { XCTAssertTrue("\($0)".contains("has shape [1]")) }
    }

    /// The gradient does not depend on the number of threads.
    func testThreadCountDoesNotChangeTheGradient() throws {
        let config = Self.tinyConfig()
        let model = try GroundingModel(config: config, seed: 11)
        let batch = (0..<5).map { Self.example(frames: 8 + $0, config: config, seed: UInt64($0), events: [0.1]) }
        var results: [[Float]] = []
        for threads in [1, 2, 4] {
            let trainer = Trainer(model: model, schedule: LearningRateSchedule(peak: 0, warmupSteps: 1, totalSteps: 1), threads: threads)
            let gradients = FloatBuffer(count: model.layout.parameters.count)
            _ = trainer.lossAndGradient(batch, into: gradients)
            results.append(gradients.array)
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
    }

    /// Frames beyond the attention window and beyond anything seen in training still run:
    /// outputs are finite for a clip much longer than the window.
    func testLongClipRunsWithFiniteOutputs() throws {
        let config = Self.tinyConfig()
        let model = try GroundingModel(config: config, seed: 1)
        let example = Self.example(frames: 400, config: config, seed: 4, events: [])
        let logits = model.forward(features: example.features, tokens: example.tokens,
                                   workspace: ModelWorkspace(config: config, frames: 400, tokens: example.tokens.count, training: false))
        XCTAssertTrue(logits.array.allSatisfy(\.isFinite))
        XCTAssertEqual(logits.count, 400 * config.headChannels)
    }
}
