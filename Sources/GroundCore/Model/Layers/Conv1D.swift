/// 1-D convolution along time, kernel size K (odd), stride 1, zero padding K/2 so the output has
/// as many frames as the input:
///
///     y[t, o] = b[o] + Σ_{κ<K} Σ_c x[t + κ − K/2, c] · W[κ·Cin + c, o],   x = 0 outside 0..<T.
///
/// W is stored (K·Cin, Cout): with the im2col matrix X̃[t, κ·Cin + c] = x[t + κ − K/2, c] the
/// forward is the single GEMM y = X̃·W + b. X̃ (`columns`, T·K·Cin floats) is saved for dW.
public enum Conv1D {
    // MARK: Forward

    public static func forward(
        x: UnsafePointer<Float>,  // (frames, inChannels)
        weight: UnsafePointer<Float>,  // (kernelSize·inChannels, outChannels)
        bias: UnsafePointer<Float>?,  // (outChannels)
        y: UnsafeMutablePointer<Float>,  // (frames, outChannels)
        columns: UnsafeMutablePointer<Float>,  // (frames, kernelSize·inChannels), saved for backward
        frames: Int, inChannels: Int, outChannels: Int, kernelSize: Int
    ) {
        precondition(kernelSize % 2 == 1, "Conv1D needs an odd kernel size")
        let pad = kernelSize / 2, rowLength = kernelSize &* inChannels
        for t in 0..<frames {
            let row = columns + t &* rowLength
            // Taps inside the signal are one contiguous run of input rows.
            let first = Swift.max(0, pad &- t), end = Swift.max(first, Swift.min(kernelSize, frames &+ pad &- t))
            row.update(repeating: 0, count: first &* inChannels)
            let inside = (end &- first) &* inChannels
            (row + first &* inChannels).update(from: x + (t &+ first &- pad) &* inChannels, count: inside)
            (row + end &* inChannels).update(repeating: 0, count: (kernelSize &- end) &* inChannels)
        }
        Linear.forward(
            x: columns, weight: weight, bias: bias, y: y, rows: frames, inFeatures: rowLength, outFeatures: outChannels)
    }

    // MARK: Backward

    /// dW += X̃ᵀ·dy,  db += Σ_t dy,  and dx += col2im(dy·Wᵀ) done tap by tap without a buffer:
    /// dx[t + κ − K/2] += dy[t]·W_κᵀ for the frames where that input exists (W_κ = rows κ·Cin ..< (κ+1)·Cin).
    public static func backward(
        dy: UnsafePointer<Float>,  // (frames, outChannels)
        columns: UnsafePointer<Float>,  // (frames, kernelSize·inChannels), from forward
        weight: UnsafePointer<Float>,  // (kernelSize·inChannels, outChannels)
        dx: UnsafeMutablePointer<Float>?,  // (frames, inChannels)
        dWeight: UnsafeMutablePointer<Float>,  // (kernelSize·inChannels, outChannels)
        dBias: UnsafeMutablePointer<Float>?,  // (outChannels)
        frames: Int, inChannels: Int, outChannels: Int, kernelSize: Int
    ) {
        let pad = kernelSize / 2, rowLength = kernelSize &* inChannels
        Linear.backward(
            dy: dy, x: columns, weight: weight, dx: nil, dWeight: dWeight, dBias: dBias,
            rows: frames, inFeatures: rowLength, outFeatures: outChannels)
        guard let dx else { return }
        for tap in 0..<kernelSize {
            let shift = tap &- pad  // output frame t reads input frame t + shift
            let t0 = Swift.max(0, -shift), t1 = Swift.min(frames, frames &- shift)
            guard t1 > t0 else { continue }
            Gemm.nt(
                m: t1 &- t0, n: inChannels, k: outChannels, a: dy + t0 &* outChannels, lda: outChannels,
                b: weight + tap &* inChannels &* outChannels, ldb: outChannels,
                c: dx + (t0 &+ shift) &* inChannels, ldc: inChannels, accumulate: true)
        }
    }
}
