import Foundation

/// The encoder/decoder transformer of the paper's §2.1 (items 1–2), small enough to train on a CPU:
///
///     log-mel (4T, 80) ─ standardise ─ Conv1D(K) ─ GELU ─ merge 4 frames ─ Linear ─┐
///         ─ N × [local self-attention + MLP] ─ LayerNorm ─ E (T, d)                 │ audio encoder
///     query tokens (L) ─ embedding ─ text blocks ─ LayerNorm ─ Q (L, d)              │ text encoder
///     E ─ M × [local self-attention + cross-attention to Q + MLP] ─ LayerNorm ─ D (T, d)  decoder
///     D ─ Linear ─ (T, channels): log λ (Poisson head) or logits (binary head)
///
/// One state per 40 ms frame; every block is pre-norm with residual connections. Frame
/// self-attention is local (±`attentionRadius` frames) with rotary positions, so cost is linear
/// in length and nothing depends on absolute position: the model runs on clips of any length.
public final class GroundingModel: @unchecked Sendable {
    public let config: ModelConfig
    public let layout: ModelLayout
    /// Every parameter, in `layout.parameters` order.
    public let parameters: FloatBuffer

    public init(config: ModelConfig, seed: UInt64) throws {
        try config.validate()
        self.config = config
        layout = ModelLayout(config: config)
        parameters = FloatBuffer(layout.parameters.initialValues(seed: seed))
    }

    /// Loads a model from a file, checking that every tensor the configuration needs is present
    /// with the right shape.
    public init(file: ModelFile, path: String = "model") throws {
        try file.config.validate()
        config = file.config
        layout = ModelLayout(config: config)
        parameters = FloatBuffer(count: layout.parameters.count)
        for tensor in layout.parameters.tensors {
            guard let stored = file.tensor(tensor.name) else {
                throw GroundError(file: path, "the model file lacks tensor '\(tensor.name)'")
            }
            guard stored.shape == tensor.shape else {
                throw GroundError(file: path, "tensor '\(tensor.name)' has shape \(stored.shape), expected \(tensor.shape)")
            }
            stored.values.withUnsafeBufferPointer { (parameters.pointer + tensor.offset).update(from: $0.baseAddress!, count: tensor.count) }
        }
    }

    /// The model as a file: configuration, metadata and every named tensor.
    public func file(metadata: [String: String] = [:], storage: ModelFile.Storage = .f32) -> ModelFile {
        let tensors = layout.parameters.tensors.map { tensor in
            (
                name: tensor.name,
                tensor: ModelFile.Tensor(
                    shape: tensor.shape,
                    values: Array(UnsafeBufferPointer(start: parameters.pointer + tensor.offset, count: tensor.count)),
                    storage: storage)
            )
        }
        return ModelFile(config: config, metadata: metadata, tensors: tensors)
    }

    public var parameterCount: Int { layout.parameters.parameterCount }

    // MARK: - Forward

    /// Runs the model on one clip; returns `workspace.logits` (T, channels).
    /// - Parameters:
    ///   - features: log-mel frames (any count up to `workspace.frames × framesPerStep`; the rest
    ///     is treated as silence).
    ///   - tokens: the encoded task (`Vocabulary.encode`), exactly `workspace.tokens` of them.
    @discardableResult
    public func forward(features: FeatureMatrix, tokens: [Int32], workspace ws: ModelWorkspace) -> FloatBuffer {
        precondition(tokens.count == ws.tokens, "workspace sized for \(ws.tokens) tokens, got \(tokens.count)")
        precondition(features.bins == config.features.melBins)
        ws.tokenIds = tokens
        let p = parameters.pointer, d = config.modelDim
        let frames = ws.frames, melFrames = frames * config.framesPerStep, melBins = features.bins
        let c = config.frontEndChannels

        // Front end: standardise (4T, 80), padding with silence, then conv → GELU → merge → Linear.
        let silence = (log(config.features.logFloor) - config.featureMean) / config.featureScale
        let usable = min(features.frames, melFrames)
        features.values.withUnsafeBufferPointer { source in
            let scale = 1 / config.featureScale
            for i in 0..<(usable * melBins) { ws.standardized[i] = (source[i] - config.featureMean) * scale }
        }
        for i in (usable * melBins)..<(melFrames * melBins) { ws.standardized[i] = silence }
        Conv1D.forward(
            x: ws.standardized.pointer, weight: p + layout.frontConv.weight, bias: p + layout.frontConv.bias,
            y: ws.convOutput.pointer, columns: ws.convColumns.pointer, frames: melFrames, inChannels: melBins,
            outChannels: c, kernelSize: config.frontEndKernel)
        GELU.forward(x: ws.convOutput.pointer, y: ws.convActivated.pointer, count: melFrames * c)
        FramePatch.forward(
            x: ws.convActivated.pointer, y: ws.patched.pointer, inputFrames: melFrames, channels: c,
            factor: config.framesPerStep, padValue: 0)
        linear(layout.frontProjection, ws.patched.pointer, ws.audioStream.pointer, rows: frames)

        // Audio encoder.
        var stream = ws.audioStream.pointer
        for (block, activations) in zip(layout.encoder, ws.encoderBlocks) {
            blockForward(block, activations, input: stream, rows: frames, shape: ws.frameShape, cos: ws.frameCos, sin: ws.frameSin, text: nil, ws: ws)
            stream = activations.output.pointer
        }
        layerNorm(layout.encoderNorm, stream, ws.encoderOutput.pointer, ws.encoderMean, ws.encoderRstd, rows: frames)

        // Text encoder.
        tokens.withUnsafeBufferPointer {
            Embedding.forward(
                ids: $0.baseAddress!, table: p + layout.embedding, y: ws.textEmbedded.pointer, tokens: ws.tokens,
                width: d, vocabularySize: config.vocabulary.count)
        }
        var textStream = ws.textEmbedded.pointer
        for (block, activations) in zip(layout.text, ws.textBlocks) {
            blockForward(block, activations, input: textStream, rows: ws.tokens, shape: ws.textShape, cos: ws.tokenCos, sin: ws.tokenSin, text: nil, ws: ws)
            textStream = activations.output.pointer
        }
        layerNorm(layout.textNorm, textStream, ws.textOutput.pointer, ws.textMean, ws.textRstd, rows: ws.tokens)

        // CTC head on E, and the alignment prior it gives the decoder.
        if let ctc = layout.ctc, let ctcLogits = ws.ctcLogits {
            linear(ctc, ws.encoderOutput.pointer, ctcLogits.pointer, rows: frames)
        }
        stream = ws.encoderOutput.pointer
        if let projection = layout.priorProjection, let prior = ws.prior, let input = ws.decoderInput, let ctcLogits = ws.ctcLogits {
            if !ws.freezesPrior {
                ws.priorPosteriors = AlignmentPrior.features(
                    logits: ctcLogits.pointer, frames: frames, classes: config.ctcClasses,
                    words: config.ctcWords(tokens: tokens), into: prior.pointer)
            }
            linear(projection, prior.pointer, input.pointer, rows: frames)
            Elementwise.add(ws.encoderOutput.pointer, into: input.pointer, count: frames * d)
            stream = input.pointer
        }

        // Decoder over the frames, conditioned on the text.
        for (block, activations) in zip(layout.decoder, ws.decoderBlocks) {
            blockForward(block, activations, input: stream, rows: frames, shape: ws.frameShape, cos: ws.frameCos, sin: ws.frameSin, text: ws.textOutput.pointer, ws: ws)
            stream = activations.output.pointer
        }
        layerNorm(layout.decoderNorm, stream, ws.decoderOutput.pointer, ws.decoderMean, ws.decoderRstd, rows: frames)
        linear(layout.head, ws.decoderOutput.pointer, ws.logits.pointer, rows: frames)
        return ws.logits
    }

    private func linear(_ l: ModelLayout.Linear, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int) {
        let p = parameters.pointer
        Linear.forward(x: x, weight: p + l.weight, bias: p + l.bias, y: y, rows: rows, inFeatures: l.inputs, outFeatures: l.outputs)
    }

    private func layerNorm(
        _ n: ModelLayout.Norm, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ mean: FloatBuffer,
        _ rstd: FloatBuffer, rows: Int
    ) {
        let p = parameters.pointer
        LayerNorm.forward(
            x: x, gamma: p + n.gain, beta: p + n.bias, y: y, mean: mean.pointer, rstd: rstd.pointer, rows: rows,
            features: config.modelDim)
    }

    /// x → x + Attn(LN(x)) [→ + CrossAttn(LN(·), text)] → + MLP(LN(·)), into `a.output`.
    private func blockForward(
        _ block: ModelLayout.Block, _ a: BlockActivations, input: UnsafePointer<Float>, rows: Int,
        shape: Attention.Shape, cos: FloatBuffer, sin: FloatBuffer, text: UnsafePointer<Float>?, ws: ModelWorkspace
    ) {
        let d = config.modelDim, count = rows * d, heads = config.heads, headDim = config.headDim
        if input != UnsafePointer(a.input.pointer) { a.input.pointer.update(from: input, count: count) }
        layerNorm(block.norm1, a.input.pointer, a.norm1.pointer, a.mean1, a.rstd1, rows: rows)
        linear(block.attention.q, a.norm1.pointer, a.q.pointer, rows: rows)
        linear(block.attention.k, a.norm1.pointer, a.k.pointer, rows: rows)
        linear(block.attention.v, a.norm1.pointer, a.v.pointer, rows: rows)
        RotaryEmbedding.forward(x: a.q.pointer, y: a.q.pointer, cos: cos.pointer, sin: sin.pointer, rows: rows, heads: heads, headDim: headDim)
        RotaryEmbedding.forward(x: a.k.pointer, y: a.k.pointer, cos: cos.pointer, sin: sin.pointer, rows: rows, heads: heads, headDim: headDim)
        Attention.forward(
            q: a.q.pointer, k: a.k.pointer, v: a.v.pointer, keyMask: nil, output: a.attention.pointer,
            probabilities: a.probabilities?.pointer, shape: shape)
        linear(block.attention.o, a.attention.pointer, a.afterAttention.pointer, rows: rows)
        Elementwise.add(a.input.pointer, into: a.afterAttention.pointer, count: count)
        var stream = a.afterAttention.pointer

        if let cross = block.cross, let crossNorm = block.crossNorm, let text {
            layerNorm(crossNorm, stream, a.crossNorm!.pointer, a.crossMean!, a.crossRstd!, rows: rows)
            linear(cross.q, a.crossNorm!.pointer, a.crossQ!.pointer, rows: rows)
            linear(cross.k, text, a.crossK!.pointer, rows: ws.tokens)
            linear(cross.v, text, a.crossV!.pointer, rows: ws.tokens)
            Attention.forward(
                q: a.crossQ!.pointer, k: a.crossK!.pointer, v: a.crossV!.pointer, keyMask: nil,
                output: a.crossOutput!.pointer, probabilities: a.crossProbabilities?.pointer, shape: ws.crossShape)
            linear(cross.o, a.crossOutput!.pointer, a.afterCross!.pointer, rows: rows)
            Elementwise.add(stream, into: a.afterCross!.pointer, count: count)
            stream = a.afterCross!.pointer
        }

        layerNorm(block.norm2, stream, a.norm2.pointer, a.mean2, a.rstd2, rows: rows)
        linear(block.up, a.norm2.pointer, a.up.pointer, rows: rows)
        GELU.forward(x: a.up.pointer, y: a.activated.pointer, count: rows * config.feedForwardDim)
        linear(block.down, a.activated.pointer, a.output.pointer, rows: rows)
        Elementwise.add(stream, into: a.output.pointer, count: count)
    }

    // MARK: - Backward

    /// Accumulates ∂ℒ/∂θ into `gradients` given ∂ℒ/∂logits (T, channels), after a `forward` on a
    /// training workspace. With a CTC head, `workspace.dCTCLogits` must hold ∂ℒ/∂(CTC logits).
    public func backward(dLogits: UnsafePointer<Float>, workspace ws: ModelWorkspace, gradients: FloatBuffer) {
        precondition(ws.training, "backward needs a workspace created with training: true")
        let p = parameters.pointer, g = gradients.pointer, d = config.modelDim
        let frames = ws.frames, melFrames = frames * config.framesPerStep, c = config.frontEndChannels
        let dAudio = ws.dAudio!, dNormed = ws.dAudioNormed!, dText = ws.dText!
        dText.zero()

        // Head and decoder norm.
        dNormed.zero()
        linearBackward(layout.head, dy: dLogits, x: ws.decoderOutput.pointer, dx: dNormed.pointer, rows: frames, gradients: g)
        let decoderInputToNorm = ws.decoderBlocks.last?.output.pointer ?? ws.encoderOutput.pointer
        dAudio.zero()
        layerNormBackward(layout.decoderNorm, dy: dNormed.pointer, x: decoderInputToNorm, ws.decoderMean, ws.decoderRstd, dx: dAudio.pointer, rows: frames, gradients: g)

        // Decoder blocks, last to first; dAudio holds ∂ℒ/∂(block output) and becomes ∂ℒ/∂(block input).
        for (block, activations) in zip(layout.decoder, ws.decoderBlocks).reversed() {
            blockBackward(block, activations, dStream: dAudio, rows: frames, shape: ws.frameShape, cos: ws.frameCos, sin: ws.frameSin, scratch: ws.audioGradients!, text: ws.textOutput.pointer, dText: dText.pointer, ws: ws, gradients: g)
        }

        // The decoder's input is E (+ prior·W, whose weights get their gradient; the prior itself is
        // a constant of the CTC posteriors). The CTC head adds its own gradient on E.
        if let projection = layout.priorProjection, let prior = ws.prior {
            linearBackward(projection, dy: dAudio.pointer, x: prior.pointer, dx: nil, rows: frames, gradients: g)
        }
        dNormed.pointer.update(from: dAudio.pointer, count: frames * d)
        if let ctc = layout.ctc, let dCTC = ws.dCTCLogits {
            linearBackward(ctc, dy: dCTC.pointer, x: ws.encoderOutput.pointer, dx: dNormed.pointer, rows: frames, gradients: g)
        }
        dAudio.zero()
        let encoderLast = ws.encoderBlocks.last?.output.pointer ?? ws.audioStream.pointer
        layerNormBackward(layout.encoderNorm, dy: dNormed.pointer, x: encoderLast, ws.encoderMean, ws.encoderRstd, dx: dAudio.pointer, rows: frames, gradients: g)
        for (block, activations) in zip(layout.encoder, ws.encoderBlocks).reversed() {
            blockBackward(block, activations, dStream: dAudio, rows: frames, shape: ws.frameShape, cos: ws.frameCos, sin: ws.frameSin, scratch: ws.audioGradients!, text: nil, dText: nil, ws: ws, gradients: g)
        }

        // Front end.
        let dPatched = ws.dPatched!, dActivated = ws.dConvActivated!, dConv = ws.dConvOutput!
        dPatched.zero()
        linearBackward(layout.frontProjection, dy: dAudio.pointer, x: ws.patched.pointer, dx: dPatched.pointer, rows: frames, gradients: g)
        dActivated.zero()
        FramePatch.backward(dy: dPatched.pointer, dx: dActivated.pointer, inputFrames: melFrames, channels: c, factor: config.framesPerStep)
        dConv.zero()
        GELU.backward(dy: dActivated.pointer, x: ws.convOutput.pointer, dx: dConv.pointer, count: melFrames * c)
        Conv1D.backward(
            dy: dConv.pointer, columns: ws.convColumns.pointer, weight: p + layout.frontConv.weight, dx: nil,
            dWeight: g + layout.frontConv.weight, dBias: g + layout.frontConv.bias, frames: melFrames,
            inChannels: config.features.melBins, outChannels: c, kernelSize: config.frontEndKernel)

        // Text encoder.
        let dTextNormed = ws.dTextNormed!
        dTextNormed.pointer.update(from: dText.pointer, count: ws.tokens * d)
        dText.zero()
        let textLast = ws.textBlocks.last?.output.pointer ?? ws.textEmbedded.pointer
        layerNormBackward(layout.textNorm, dy: dTextNormed.pointer, x: textLast, ws.textMean, ws.textRstd, dx: dText.pointer, rows: ws.tokens, gradients: g)
        for (block, activations) in zip(layout.text, ws.textBlocks).reversed() {
            blockBackward(block, activations, dStream: dText, rows: ws.tokens, shape: ws.textShape, cos: ws.tokenCos, sin: ws.tokenSin, scratch: ws.textGradients!, text: nil, dText: nil, ws: ws, gradients: g)
        }
        ws.tokenIds.withUnsafeBufferPointer {
            Embedding.backward(
                dy: dText.pointer, ids: $0.baseAddress!, dTable: g + layout.embedding, tokens: ws.tokens, width: d,
                vocabularySize: config.vocabulary.count)
        }
    }

    private func linearBackward(
        _ l: ModelLayout.Linear, dy: UnsafePointer<Float>, x: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
        rows: Int, gradients g: UnsafeMutablePointer<Float>
    ) {
        Linear.backward(
            dy: dy, x: x, weight: parameters.pointer + l.weight, dx: dx, dWeight: g + l.weight, dBias: g + l.bias,
            rows: rows, inFeatures: l.inputs, outFeatures: l.outputs)
    }

    private func layerNormBackward(
        _ n: ModelLayout.Norm, dy: UnsafePointer<Float>, x: UnsafePointer<Float>, _ mean: FloatBuffer, _ rstd: FloatBuffer,
        dx: UnsafeMutablePointer<Float>, rows: Int, gradients g: UnsafeMutablePointer<Float>
    ) {
        LayerNorm.backward(
            dy: dy, x: x, gamma: parameters.pointer + n.gain, mean: mean.pointer, rstd: rstd.pointer, dx: dx,
            dGamma: g + n.gain, dBeta: g + n.bias, rows: rows, features: config.modelDim)
    }

    /// Reverses `blockForward`. On entry `dStream` holds ∂ℒ/∂(block output); on exit ∂ℒ/∂(block input).
    /// Cross-attention adds its gradient with respect to the text states into `dText`.
    private func blockBackward(
        _ block: ModelLayout.Block, _ a: BlockActivations, dStream: FloatBuffer, rows: Int, shape: Attention.Shape,
        cos: FloatBuffer, sin: FloatBuffer, scratch s: BlockGradients, text: UnsafePointer<Float>?,
        dText: UnsafeMutablePointer<Float>?, ws: ModelWorkspace, gradients g: UnsafeMutablePointer<Float>
    ) {
        let d = config.modelDim, count = rows * d, f = config.feedForwardDim
        let heads = config.heads, headDim = config.headDim
        let dx = dStream.pointer  // ∂ℒ/∂(residual stream), updated in place as we walk back
        let mlpInput = a.afterCross?.pointer ?? a.afterAttention.pointer

        // MLP branch: out = x + down(GELU(up(LN2(x)))).
        s.activated.pointer.update(repeating: 0, count: rows * f)
        linearBackward(block.down, dy: dx, x: a.activated.pointer, dx: s.activated.pointer, rows: rows, gradients: g)
        s.up.pointer.update(repeating: 0, count: rows * f)
        GELU.backward(dy: s.activated.pointer, x: a.up.pointer, dx: s.up.pointer, count: rows * f)
        s.norm.pointer.update(repeating: 0, count: count)
        linearBackward(block.up, dy: s.up.pointer, x: a.norm2.pointer, dx: s.norm.pointer, rows: rows, gradients: g)
        layerNormBackward(block.norm2, dy: s.norm.pointer, x: mlpInput, a.mean2, a.rstd2, dx: dx, rows: rows, gradients: g)

        // Cross-attention branch: x' = x + o(Attn(q(LN(x)), k(text), v(text))).
        if let cross = block.cross, let crossNorm = block.crossNorm, let text, let dText {
            let tokens = ws.tokens
            s.attention.pointer.update(repeating: 0, count: count)
            linearBackward(cross.o, dy: dx, x: a.crossOutput!.pointer, dx: s.attention.pointer, rows: rows, gradients: g)
            s.q.pointer.update(repeating: 0, count: count)
            s.crossK.pointer.update(repeating: 0, count: tokens * d)
            s.crossV.pointer.update(repeating: 0, count: tokens * d)
            Attention.backward(
                dOutput: s.attention.pointer, q: a.crossQ!.pointer, k: a.crossK!.pointer, v: a.crossV!.pointer,
                probabilities: a.crossProbabilities!.pointer, dq: s.q.pointer, dk: s.crossK.pointer, dv: s.crossV.pointer,
                shape: ws.crossShape)
            linearBackward(cross.k, dy: s.crossK.pointer, x: text, dx: dText, rows: tokens, gradients: g)
            linearBackward(cross.v, dy: s.crossV.pointer, x: text, dx: dText, rows: tokens, gradients: g)
            s.norm.pointer.update(repeating: 0, count: count)
            linearBackward(cross.q, dy: s.q.pointer, x: a.crossNorm!.pointer, dx: s.norm.pointer, rows: rows, gradients: g)
            layerNormBackward(crossNorm, dy: s.norm.pointer, x: a.afterAttention.pointer, a.crossMean!, a.crossRstd!, dx: dx, rows: rows, gradients: g)
        }

        // Self-attention branch: x' = x + o(Attn(RoPE(q(LN(x))), RoPE(k(LN(x))), v(LN(x)))).
        s.attention.pointer.update(repeating: 0, count: count)
        linearBackward(block.attention.o, dy: dx, x: a.attention.pointer, dx: s.attention.pointer, rows: rows, gradients: g)
        s.q.pointer.update(repeating: 0, count: count)
        s.k.pointer.update(repeating: 0, count: count)
        s.v.pointer.update(repeating: 0, count: count)
        Attention.backward(
            dOutput: s.attention.pointer, q: a.q.pointer, k: a.k.pointer, v: a.v.pointer,
            probabilities: a.probabilities!.pointer, dq: s.q.pointer, dk: s.k.pointer, dv: s.v.pointer, shape: shape)
        s.norm.pointer.update(repeating: 0, count: count)
        for (rotatedGradient, projection) in [(s.q, block.attention.q), (s.k, block.attention.k)] {
            s.rotated.pointer.update(repeating: 0, count: count)
            RotaryEmbedding.backward(
                dy: rotatedGradient.pointer, dx: s.rotated.pointer, cos: cos.pointer, sin: sin.pointer, rows: rows,
                heads: heads, headDim: headDim)
            linearBackward(projection, dy: s.rotated.pointer, x: a.norm1.pointer, dx: s.norm.pointer, rows: rows, gradients: g)
        }
        linearBackward(block.attention.v, dy: s.v.pointer, x: a.norm1.pointer, dx: s.norm.pointer, rows: rows, gradients: g)
        layerNormBackward(block.norm1, dy: s.norm.pointer, x: a.input.pointer, a.mean1, a.rstd1, dx: dx, rows: rows, gradients: g)
    }
}
