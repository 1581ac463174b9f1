/// The named parameter tensors of a `ModelConfig`, in a fixed order, and their offsets.
///
///     frontend.conv.weight   (K·80, C)     conv over 10 ms log-mel frames
///     frontend.proj.weight   (4·C, d)      4 frames → one 40 ms frame
///     encoder.i.*            N audio self-attention blocks (local window, rotary positions)
///     encoder.norm.*
///     text.embedding         (V, d)
///     text.i.*               text self-attention blocks (full, rotary positions)
///     text.norm.*
///     decoder.i.*            M blocks: frame self-attention, cross-attention to the text, MLP
///     decoder.norm.*
///     head.weight            (d, channels) the frame head: log λ (Poisson) or logits (binary)
///     ctc.weight             (d, 38)       optional CTC head on E
///     decoder.prior.weight   (5, d)        optional alignment-prior input of the decoder
///
/// Each block: `norm1`, `attn.{q,k,v,o}`, [`norm_cross`, `cross.{q,k,v,o}`], `norm2`,
/// `mlp.{up,down}`; every Linear has `.weight` (in, out) and `.bias`.
public struct ModelLayout: Sendable {
    public struct Linear: Sendable {
        public let weight: Int
        public let bias: Int
        public let inputs: Int
        public let outputs: Int
    }

    public struct Norm: Sendable {
        public let gain: Int
        public let bias: Int
    }

    public struct Attention: Sendable {
        public let q: Linear, k: Linear, v: Linear, o: Linear
    }

    public struct Block: Sendable {
        public let norm1: Norm
        public let attention: Attention
        public let crossNorm: Norm?
        public let cross: Attention?
        public let norm2: Norm
        public let up: Linear
        public let down: Linear
    }

    public let parameters: ParameterLayout
    public let frontConv: Linear  // (K·80, C): applied as a convolution
    public let frontProjection: Linear
    public let encoder: [Block]
    public let encoderNorm: Norm
    public let embedding: Int
    public let text: [Block]
    public let textNorm: Norm
    public let decoder: [Block]
    public let decoderNorm: Norm
    public let head: Linear
    /// (d, CTC classes) on E, when `config.ctcHead`.
    public let ctc: Linear?
    /// (AlignmentPrior.channels, d), added to the decoder's input, when `config.alignmentPrior`.
    public let priorProjection: Linear?

    public init(config: ModelConfig) {
        var layout = ParameterLayout()
        let d = config.modelDim
        // GPT-2 initialisation: N(0, 0.02), output projections of residual branches scaled by
        // 1/√(2·blocks) so the residual stream's variance does not grow with depth.
        let blocks = config.encoderLayers + config.textLayers + config.decoderLayers
        let residualStd = 0.02 / Float(2 * max(1, blocks)).squareRoot()

        func linear(_ name: String, _ inputs: Int, _ outputs: Int, std: Float = 0.02) -> Linear {
            let weight = layout.add("\(name).weight", [inputs, outputs], .normal(std: std))
            let bias = layout.add("\(name).bias", [outputs], .zeros)
            return Linear(weight: weight, bias: bias, inputs: inputs, outputs: outputs)
        }
        func norm(_ name: String) -> Norm {
            Norm(gain: layout.add("\(name).gain", [d], .ones), bias: layout.add("\(name).bias", [d], .zeros))
        }
        func attention(_ name: String) -> Attention {
            Attention(
                q: linear("\(name).q", d, d), k: linear("\(name).k", d, d), v: linear("\(name).v", d, d),
                o: linear("\(name).o", d, d, std: residualStd))
        }
        func block(_ name: String, cross: Bool) -> Block {
            Block(
                norm1: norm("\(name).norm1"), attention: attention("\(name).attn"),
                crossNorm: cross ? norm("\(name).norm_cross") : nil, cross: cross ? attention("\(name).cross") : nil,
                norm2: norm("\(name).norm2"), up: linear("\(name).mlp.up", d, config.feedForwardDim),
                down: linear("\(name).mlp.down", config.feedForwardDim, d, std: residualStd))
        }

        let melBins = config.features.melBins
        // He-style scale for the first layers, which see standardised features rather than a
        // normalised residual stream.
        frontConv = linear(
            "frontend.conv", config.frontEndKernel * melBins, config.frontEndChannels,
            std: (2 / Float(config.frontEndKernel * melBins)).squareRoot())
        frontProjection = linear(
            "frontend.proj", config.framesPerStep * config.frontEndChannels, d,
            std: (1 / Float(config.framesPerStep * config.frontEndChannels)).squareRoot())
        encoder = (0..<config.encoderLayers).map { block("encoder.\($0)", cross: false) }
        encoderNorm = norm("encoder.norm")
        embedding = layout.add("text.embedding", [config.vocabulary.count, d], .normal(std: 0.02))
        text = (0..<config.textLayers).map { block("text.\($0)", cross: false) }
        textNorm = norm("text.norm")
        decoder = (0..<config.decoderLayers).map { block("decoder.\($0)", cross: true) }
        decoderNorm = norm("decoder.norm")
        head = linear("head", d, config.headChannels)
        ctc = config.ctcHead ? linear("ctc", d, config.ctcClasses) : nil
        priorProjection = config.alignmentPrior ? linear("decoder.prior", AlignmentPrior.channels, d, std: 0.1) : nil
        parameters = layout
    }
}
