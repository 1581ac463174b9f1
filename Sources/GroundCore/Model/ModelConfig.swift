/// Every size and choice that defines a model, stored as JSON in the model file.
public struct ModelConfig: Codable, Sendable, Equatable {
    /// The log-mel front end the model was trained with.
    public var features = FeatureConfig()
    /// Log-mel frames per model frame: 4 × 10 ms = 40 ms, the paper's frame rate. Model frame t
    /// covers [0.04 t, 0.04 (t + 1)) s.
    public var framesPerStep = 4
    /// Log-mel values are standardised as (x − featureMean) / featureScale before the front end.
    public var featureMean: Float = -8
    public var featureScale: Float = 4
    /// Channels of the convolution over 10 ms log-mel frames, before 4 frames are merged.
    public var frontEndChannels = 128
    public var frontEndKernel = 3
    /// Width of every transformer layer.
    public var modelDim = 192
    public var heads = 4
    public var feedForwardDim = 768
    public var encoderLayers = 4
    public var textLayers = 2
    public var decoderLayers = 2
    /// Self-attention over frames sees ±radius frames (128 × 40 ms = ±5.12 s): cost linear in
    /// length, and every relative distance met at inference was met in training.
    public var attentionRadius = 128
    public var ropeBase: Float = 10_000
    public var vocabulary = Vocabulary.standard
    /// Output channels of the frame head: 2 = word starts and word ends.
    public var headChannels = 2
    public var head = HeadKind.poisson

    public enum HeadKind: String, Codable, Sendable {
        case poisson, binary
    }

    public init() {}

    /// Named sizes: `default` (d = 192, 4 + 2 + 2 layers, 4.0 M parameters), `small` (d = 128,
    /// 3 + 1 + 2) and `tiny` (d = 64, 2 + 1 + 1, for tests and quick experiments).
    public static func preset(_ name: String) -> ModelConfig? {
        var config = ModelConfig()
        switch name {
        case "default": break
        case "small":
            (config.modelDim, config.feedForwardDim, config.heads) = (128, 512, 4)
            (config.encoderLayers, config.textLayers, config.decoderLayers) = (3, 1, 2)
        case "tiny":
            (config.modelDim, config.feedForwardDim, config.heads, config.frontEndChannels) = (64, 256, 2, 64)
            (config.encoderLayers, config.textLayers, config.decoderLayers) = (2, 1, 1)
        default: return nil
        }
        return config
    }

    public static let presetNames = ["tiny", "small", "default"]

    public var headDim: Int { modelDim / heads }
    /// Seconds per model frame (0.04 by default).
    public var frameDuration: Double { features.frameDuration * Double(framesPerStep) }

    /// Model frames for `sampleCount` samples: ceil(feature frames / framesPerStep).
    public func frameCount(sampleCount: Int) -> Int {
        (features.frameCount(sampleCount: sampleCount) + framesPerStep - 1) / framesPerStep
    }

    public func validate() throws {
        func fail(_ why: String) -> GroundError { GroundError("invalid model configuration: \(why)") }
        try features.validate()
        guard modelDim > 0, heads > 0, modelDim % heads == 0 else { throw fail("modelDim must be a multiple of heads") }
        guard headDim % 2 == 0 else { throw fail("the head dimension must be even for rotary positions") }
        guard feedForwardDim > 0, frontEndChannels > 0, frontEndKernel % 2 == 1 else {
            throw fail("feedForwardDim and frontEndChannels must be positive, frontEndKernel odd")
        }
        guard encoderLayers >= 0, textLayers >= 0, decoderLayers >= 1 else {
            throw fail("need at least one decoder layer and no negative layer counts")
        }
        guard framesPerStep >= 1, attentionRadius >= 1, headChannels >= 1, featureScale > 0 else {
            throw fail("framesPerStep, attentionRadius, headChannels and featureScale must be positive")
        }
        guard vocabulary.count > 0 else { throw fail("empty vocabulary") }
    }
}
