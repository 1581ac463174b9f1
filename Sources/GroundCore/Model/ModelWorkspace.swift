/// Activations of one transformer block for one sequence, kept for the backward pass.
final class BlockActivations {
    let rows: Int
    let input, norm1, q, k, v, attention, afterAttention: FloatBuffer  // (rows, d)
    let mean1, rstd1, mean2, rstd2: FloatBuffer  // (rows)
    let probabilities: FloatBuffer?  // (H, rows, band) — training only
    let crossNorm, crossQ, crossOutput, afterCross: FloatBuffer?  // (rows, d)
    let crossK, crossV: FloatBuffer?  // (L, d)
    let crossMean, crossRstd: FloatBuffer?  // (rows)
    let crossProbabilities: FloatBuffer?  // (H, rows, L)
    let norm2, output: FloatBuffer  // (rows, d)
    let up, activated: FloatBuffer  // (rows, F)

    init(rows: Int, textRows: Int, config: ModelConfig, selfAttention: Attention.Shape, cross: Bool, training: Bool) {
        self.rows = rows
        let d = config.modelDim, f = config.feedForwardDim
        func matrix(_ r: Int, _ c: Int) -> FloatBuffer { FloatBuffer(count: r * c) }
        input = matrix(rows, d)
        norm1 = matrix(rows, d)
        q = matrix(rows, d)
        k = matrix(rows, d)
        v = matrix(rows, d)
        attention = matrix(rows, d)
        afterAttention = matrix(rows, d)
        mean1 = matrix(rows, 1)
        rstd1 = matrix(rows, 1)
        mean2 = matrix(rows, 1)
        rstd2 = matrix(rows, 1)
        probabilities = training ? FloatBuffer(count: selfAttention.probabilityCount) : nil
        if cross {
            crossNorm = matrix(rows, d)
            crossQ = matrix(rows, d)
            crossOutput = matrix(rows, d)
            afterCross = matrix(rows, d)
            crossK = matrix(textRows, d)
            crossV = matrix(textRows, d)
            crossMean = matrix(rows, 1)
            crossRstd = matrix(rows, 1)
            crossProbabilities = training ? FloatBuffer(count: config.heads * rows * textRows) : nil
        } else {
            (crossNorm, crossQ, crossOutput, afterCross, crossK, crossV) = (nil, nil, nil, nil, nil, nil)
            (crossMean, crossRstd, crossProbabilities) = (nil, nil, nil)
        }
        norm2 = matrix(rows, d)
        output = matrix(rows, d)
        up = matrix(rows, f)
        activated = matrix(rows, f)
    }
}

/// Gradient scratch shared by all blocks of a stream during the backward pass.
final class BlockGradients {
    let residual, norm, attention, q, k, v, rotated: FloatBuffer  // (rows, d)
    let up, activated: FloatBuffer  // (rows, F)
    let crossK, crossV: FloatBuffer  // (L, d)

    init(rows: Int, textRows: Int, config: ModelConfig) {
        let d = config.modelDim, f = config.feedForwardDim
        residual = FloatBuffer(count: rows * d)
        norm = FloatBuffer(count: rows * d)
        attention = FloatBuffer(count: rows * d)
        q = FloatBuffer(count: rows * d)
        k = FloatBuffer(count: rows * d)
        v = FloatBuffer(count: rows * d)
        rotated = FloatBuffer(count: rows * d)
        up = FloatBuffer(count: rows * f)
        activated = FloatBuffer(count: rows * f)
        crossK = FloatBuffer(count: textRows * d)
        crossV = FloatBuffer(count: textRows * d)
    }
}

/// Every buffer one forward (and backward) pass over one clip needs. Sized for a clip of `frames`
/// model frames and `tokens` text tokens; reused while the sizes fit. Not shared between threads.
public final class ModelWorkspace {
    public let config: ModelConfig
    public let frames: Int
    public let tokens: Int
    public let training: Bool

    // Front end.
    let standardized: FloatBuffer  // (4T, 80)
    let convColumns: FloatBuffer  // (4T, K·80)
    let convOutput, convActivated: FloatBuffer  // (4T, C)
    let patched: FloatBuffer  // (T, 4C)
    // Streams.
    let audioStream: FloatBuffer  // (T, d): front-end output, then the encoder's residual stream
    let encoderBlocks: [BlockActivations]
    let encoderOutput, encoderMean, encoderRstd: FloatBuffer  // E (T, d); (T)
    let textEmbedded: FloatBuffer  // (L, d)
    let textBlocks: [BlockActivations]
    let textOutput, textMean, textRstd: FloatBuffer  // (L, d); (L)
    let decoderBlocks: [BlockActivations]
    let decoderOutput, decoderMean, decoderRstd: FloatBuffer  // D (T, d); (T)
    public let logits: FloatBuffer  // (T, channels)
    /// CTC logits (T, classes) and their gradient, when the model has a CTC head.
    public let ctcLogits: FloatBuffer?
    public let dCTCLogits: FloatBuffer?
    /// Alignment-prior features (T, channels) and the decoder's input E + prior·W (T, d).
    public let prior: FloatBuffer?
    let decoderInput: FloatBuffer?
    /// Keep the prior features of the previous forward instead of recomputing them. The backward
    /// treats the prior as a constant; gradient checks set this so finite differences do too.
    public var freezesPrior = false
    /// The alignment-prior posteriors of the last forward (nil without a prior).
    public internal(set) var priorPosteriors: AlignmentPrior.Posteriors?
    /// The encoded task of the last forward, for the embedding's backward.
    var tokenIds: [Int32] = []
    /// Attention problems: local self-attention over frames, text self-attention, cross-attention.
    let frameShape, textShape, crossShape: Attention.Shape
    // Rotary tables: frames and tokens.
    let frameCos, frameSin, tokenCos, tokenSin: FloatBuffer
    // Backward scratch.
    let audioGradients: BlockGradients?
    let textGradients: BlockGradients?
    let dAudio, dAudioNormed: FloatBuffer?  // (T, d)
    let dText, dTextNormed: FloatBuffer?  // (L, d)
    let dPatched, dConvActivated, dConvOutput: FloatBuffer?

    /// - Parameter training: keep every block's activations for a backward pass; without it one
    ///   set of block buffers serves all layers, so memory does not grow with depth.
    public init(config: ModelConfig, frames: Int, tokens: Int, training: Bool) {
        self.config = config
        self.frames = frames
        self.tokens = tokens
        self.training = training
        let d = config.modelDim, c = config.frontEndChannels, steps = config.framesPerStep
        let melFrames = frames * steps, melBins = config.features.melBins
        standardized = FloatBuffer(count: melFrames * melBins)
        convColumns = FloatBuffer(count: melFrames * config.frontEndKernel * melBins)
        convOutput = FloatBuffer(count: melFrames * c)
        convActivated = FloatBuffer(count: melFrames * c)
        patched = FloatBuffer(count: frames * steps * c)
        audioStream = FloatBuffer(count: frames * d)
        frameShape = Attention.Shape(
            queries: frames, keys: frames, heads: config.heads, headDim: config.headDim, window: config.attentionRadius)
        textShape = Attention.Shape(queries: tokens, keys: tokens, heads: config.heads, headDim: config.headDim)
        crossShape = Attention.Shape(queries: frames, keys: tokens, heads: config.heads, headDim: config.headDim)
        func blocks(_ count: Int, rows: Int, shape: Attention.Shape, cross: Bool) -> [BlockActivations] {
            let distinct = training ? count : min(count, 1)
            let made = (0..<distinct).map { _ in
                BlockActivations(rows: rows, textRows: tokens, config: config, selfAttention: shape, cross: cross, training: training)
            }
            return (0..<count).map { made[training ? $0 : 0] }
        }
        encoderBlocks = blocks(config.encoderLayers, rows: frames, shape: frameShape, cross: false)
        encoderOutput = FloatBuffer(count: frames * d)
        encoderMean = FloatBuffer(count: frames)
        encoderRstd = FloatBuffer(count: frames)
        textEmbedded = FloatBuffer(count: tokens * d)
        textBlocks = blocks(config.textLayers, rows: tokens, shape: textShape, cross: false)
        textOutput = FloatBuffer(count: tokens * d)
        textMean = FloatBuffer(count: tokens)
        textRstd = FloatBuffer(count: tokens)
        decoderBlocks = blocks(config.decoderLayers, rows: frames, shape: frameShape, cross: true)
        decoderOutput = FloatBuffer(count: frames * d)
        decoderMean = FloatBuffer(count: frames)
        decoderRstd = FloatBuffer(count: frames)
        logits = FloatBuffer(count: frames * config.headChannels)
        ctcLogits = config.ctcHead ? FloatBuffer(count: frames * config.ctcClasses) : nil
        dCTCLogits = config.ctcHead && training ? FloatBuffer(count: frames * config.ctcClasses) : nil
        prior = config.alignmentPrior ? FloatBuffer(count: frames * AlignmentPrior.channels) : nil
        decoderInput = config.alignmentPrior ? FloatBuffer(count: frames * d) : nil

        let half = config.headDim / 2
        frameCos = FloatBuffer(count: frames * half)
        frameSin = FloatBuffer(count: frames * half)
        tokenCos = FloatBuffer(count: tokens * half)
        tokenSin = FloatBuffer(count: tokens * half)
        RotaryEmbedding.fillTables(
            cos: frameCos.pointer, sin: frameSin.pointer, rows: frames, headDim: config.headDim, positionOffset: 0,
            base: Double(config.ropeBase))
        RotaryEmbedding.fillTables(
            cos: tokenCos.pointer, sin: tokenSin.pointer, rows: tokens, headDim: config.headDim, positionOffset: 0,
            base: Double(config.ropeBase))

        if training {
            audioGradients = BlockGradients(rows: frames, textRows: tokens, config: config)
            textGradients = BlockGradients(rows: tokens, textRows: tokens, config: config)
            dAudio = FloatBuffer(count: frames * d)
            dAudioNormed = FloatBuffer(count: frames * d)
            dText = FloatBuffer(count: tokens * d)
            dTextNormed = FloatBuffer(count: tokens * d)
            dPatched = FloatBuffer(count: frames * steps * c)
            dConvActivated = FloatBuffer(count: melFrames * c)
            dConvOutput = FloatBuffer(count: melFrames * c)
        } else {
            (audioGradients, textGradients, dAudio, dAudioNormed, dText, dTextNormed) = (nil, nil, nil, nil, nil, nil)
            (dPatched, dConvActivated, dConvOutput) = (nil, nil, nil)
        }
    }
}
