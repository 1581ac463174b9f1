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
        let tokens = (0..<5).map { _ in Int32(generator.next() % UInt64(config.vocabulary.count)) }
        return TrainingExample(
            features: FeatureMatrix(values: values, frames: melFrames, bins: config.features.melBins), tokens: tokens,
            starts: events, ends: events.map { $0 + 0.1 })
    }

    /// Every tensor's gradient against central differences along a random direction within that
    /// tensor (so a wrong formula anywhere shows in some tensor), and along one direction over all
    /// parameters. Float32 forward, Double loss: |analytic − numeric| ≤ 3 % of |numeric| + 3e-4.
    func testWholeModelGradient() throws {
        for head in [ModelConfig.HeadKind.poisson, .binary] {
            let config = Self.tinyConfig(head: head)
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
                                  workspace: ModelWorkspace(config: config, frames: 20, tokens: 5, training: false)).array
            let b = loaded.forward(features: example.features, tokens: example.tokens,
                                   workspace: ModelWorkspace(config: config, frames: 20, tokens: 5, training: false)).array
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
                                   workspace: ModelWorkspace(config: config, frames: 400, tokens: 5, training: false))
        XCTAssertTrue(logits.array.allSatisfy(\.isFinite))
        XCTAssertEqual(logits.count, 400 * config.headChannels)
    }
}
