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
    /// An auxiliary CTC head on the encoder output, trained to recognise the utterance's
    /// characters (or phones, with `pronunciations`), so the encoder states carry what was said.
    public var ctcHead = false
    /// A pronouncing dictionary: the CTC head emits phones for the words it lists and
    /// characters for the rest. nil = characters only.
    public var pronunciations: Pronunciations? = nil
    /// Feed the decoder `AlignmentPrior` features: where the task's words start and end under the
    /// CTC head's posteriors (requires `ctcHead`).
    public var alignmentPrior = false

    public enum HeadKind: String, Codable, Sendable {
        case poisson, binary
    }

    public init() {}

    /// Named sizes (audio encoder + text encoder + decoder layers): `default` (d = 192, 4 + 2 + 2,
    /// 4.0 M parameters), `large` (d = 256, 6 + 1 + 2, 7.8 M: a deeper acoustic encoder, still
    /// ≤ 20 MB in f16), `small` (d = 128, 3 + 1 + 2) and `tiny` (d = 64, 2 + 1 + 1, for tests and
    /// quick experiments).
    public static func preset(_ name: String) -> ModelConfig? {
        var config = ModelConfig()
        switch name {
        case "default": break
        case "large":
            (config.modelDim, config.feedForwardDim, config.heads) = (256, 1024, 4)
            (config.encoderLayers, config.textLayers, config.decoderLayers) = (6, 1, 2)
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

    // Decoding fills keys a file lacks with the defaults above, so files written before a key
    // existed still load.
    private enum CodingKeys: String, CodingKey {
        case features, framesPerStep, featureMean, featureScale, frontEndChannels, frontEndKernel, modelDim, heads
        case feedForwardDim, encoderLayers, textLayers, decoderLayers, attentionRadius, ropeBase, vocabulary
        case headChannels, head, ctcHead, alignmentPrior, pronunciations
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelConfig()
        features = try c.decodeIfPresent(FeatureConfig.self, forKey: .features) ?? d.features
        framesPerStep = try c.decodeIfPresent(Int.self, forKey: .framesPerStep) ?? d.framesPerStep
        featureMean = try c.decodeIfPresent(Float.self, forKey: .featureMean) ?? d.featureMean
        featureScale = try c.decodeIfPresent(Float.self, forKey: .featureScale) ?? d.featureScale
        frontEndChannels = try c.decodeIfPresent(Int.self, forKey: .frontEndChannels) ?? d.frontEndChannels
        frontEndKernel = try c.decodeIfPresent(Int.self, forKey: .frontEndKernel) ?? d.frontEndKernel
        modelDim = try c.decodeIfPresent(Int.self, forKey: .modelDim) ?? d.modelDim
        heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? d.heads
        feedForwardDim = try c.decodeIfPresent(Int.self, forKey: .feedForwardDim) ?? d.feedForwardDim
        encoderLayers = try c.decodeIfPresent(Int.self, forKey: .encoderLayers) ?? d.encoderLayers
        textLayers = try c.decodeIfPresent(Int.self, forKey: .textLayers) ?? d.textLayers
        decoderLayers = try c.decodeIfPresent(Int.self, forKey: .decoderLayers) ?? d.decoderLayers
        attentionRadius = try c.decodeIfPresent(Int.self, forKey: .attentionRadius) ?? d.attentionRadius
        ropeBase = try c.decodeIfPresent(Float.self, forKey: .ropeBase) ?? d.ropeBase
        vocabulary = try c.decodeIfPresent(Vocabulary.self, forKey: .vocabulary) ?? d.vocabulary
        headChannels = try c.decodeIfPresent(Int.self, forKey: .headChannels) ?? d.headChannels
        head = try c.decodeIfPresent(HeadKind.self, forKey: .head) ?? d.head
        ctcHead = try c.decodeIfPresent(Bool.self, forKey: .ctcHead) ?? d.ctcHead
        alignmentPrior = try c.decodeIfPresent(Bool.self, forKey: .alignmentPrior) ?? d.alignmentPrior
        pronunciations = try c.decodeIfPresent(Pronunciations.self, forKey: .pronunciations)
    }

    // MARK: - CTC labels

    /// CTC classes: the blank (0), the characters of `Vocabulary.ctcAlphabet` (1…37), then the
    /// phones of `pronunciations` (38…).
    public var ctcClasses: Int { Vocabulary.ctcClasses + (pronunciations?.phones.count ?? 0) }

    /// A normalised word's CTC labels: its phones when the dictionary lists it, else its characters.
    public func ctcLabels(_ word: String) -> [Int] {
        if let phones = pronunciations?.phoneIndices(of: word) { return phones.map { Vocabulary.ctcClasses + $0 } }
        return Vocabulary.ctcLabels(word)
    }

    /// The words of an encoded task's text as CTC labels, one entry per word.
    public func ctcWords(tokens: [Int32]) -> [[Int]] { vocabulary.textWords(tokens: tokens).map(ctcLabels) }

    public static let presetNames = ["tiny", "small", "default", "large"]

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
        guard ctcHead || !alignmentPrior else { throw fail("alignmentPrior needs ctcHead") }
    }
}
