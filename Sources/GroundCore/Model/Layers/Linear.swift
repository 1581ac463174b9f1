/// Fully connected layer applied to each row:
///
///     y(rows, out) = x(rows, in) · W(in, out) + b(out)
///
/// W is stored (in, out), row-major, so both passes are single GEMMs.
public enum Linear {
    // MARK: Forward

    /// y = x·W + b (b optional). Overwrites y.
    public static func forward(
        x: UnsafePointer<Float>,  // (rows, inFeatures)
        weight: UnsafePointer<Float>,  // (inFeatures, outFeatures)
        bias: UnsafePointer<Float>?,  // (outFeatures)
        y: UnsafeMutablePointer<Float>,  // (rows, outFeatures)
        rows: Int, inFeatures: Int, outFeatures: Int
    ) {
        // Seeding y with the bias lets the GEMM accumulate onto it instead of a second pass.
        if let bias {
            for t in 0..<rows { (y + t &* outFeatures).update(from: bias, count: outFeatures) }
        }
        Gemm.nn(
            m: rows, n: outFeatures, k: inFeatures, a: x, lda: inFeatures, b: weight, ldb: outFeatures,
            c: y, ldc: outFeatures, accumulate: bias != nil)
    }

    // MARK: Backward

    /// dx += dy·Wᵀ,  dW += xᵀ·dy,  db += Σ_rows dy. Pass nil for dx when the input needs no
    /// gradient (e.g. features), and for dBias exactly when the forward had no bias.
    public static func backward(
        dy: UnsafePointer<Float>,  // (rows, outFeatures)
        x: UnsafePointer<Float>,  // (rows, inFeatures)
        weight: UnsafePointer<Float>,  // (inFeatures, outFeatures)
        dx: UnsafeMutablePointer<Float>?,  // (rows, inFeatures)
        dWeight: UnsafeMutablePointer<Float>,  // (inFeatures, outFeatures)
        dBias: UnsafeMutablePointer<Float>?,  // (outFeatures)
        rows: Int, inFeatures: Int, outFeatures: Int
    ) {
        if let dx {
            Gemm.nt(
                m: rows, n: inFeatures, k: outFeatures, a: dy, lda: outFeatures, b: weight, ldb: outFeatures,
                c: dx, ldc: inFeatures, accumulate: true)
        }
        Gemm.tn(
            m: inFeatures, n: outFeatures, k: rows, a: x, lda: inFeatures, b: dy, ldb: outFeatures,
            c: dWeight, ldc: outFeatures, accumulate: true)
        if let dBias {
            for t in 0..<rows { Elementwise.add(dy + t &* outFeatures, into: dBias, count: outFeatures) }
        }
    }
}
