/// Layer normalisation of each row x (n = `features` values) with learned gain γ and bias β:
///
///     μ = (1/n) Σ x,   σ² = (1/n) Σ (x − μ)²,   r = 1/√(σ² + ε),   x̂ = (x − μ)·r,
///     y = γ ⊙ x̂ + β,   ε = 1e-5.
///
/// The forward saves μ and r per row (`mean`, `rstd`: `rows` floats each) for the backward.
public enum LayerNorm {
    public static let epsilon: Float = 1e-5

    // MARK: Forward

    public static func forward(
        x: UnsafePointer<Float>,  // (rows, features)
        gamma: UnsafePointer<Float>,  // (features)
        beta: UnsafePointer<Float>,  // (features)
        y: UnsafeMutablePointer<Float>,  // (rows, features)
        mean: UnsafeMutablePointer<Float>,  // (rows), saved for backward
        rstd: UnsafeMutablePointer<Float>,  // (rows), saved for backward
        rows: Int, features n: Int
    ) {
        let inverseN = 1 / Float(n)
        for t in 0..<rows {
            let xRow = x + t &* n, yRow = y + t &* n
            let mu = VectorMath.sum(xRow, count: n) * inverseN
            // Two passes (mean, then squared deviations) avoid E[x²] − μ² cancellation.
            var squares = SIMD16<Float>()
            var i = 0
            while i &+ 16 <= n {
                let d = VectorMath.load(xRow + i) - mu
                squares.addProduct(d, d)
                i &+= 16
            }
            var variance = SIMDMath.sum(squares)
            while i < n {
                let d = xRow[i] - mu
                variance += d * d
                i &+= 1
            }
            let r = 1 / (variance * inverseN + epsilon).squareRoot()
            mean[t] = mu
            rstd[t] = r
            i = 0
            while i &+ 16 <= n {
                let normalized = (VectorMath.load(xRow + i) - mu) * r
                VectorMath.store(VectorMath.load(beta + i).addingProduct(normalized, VectorMath.load(gamma + i)), yRow + i)
                i &+= 16
            }
            while i < n {
                yRow[i] = (xRow[i] - mu) * r * gamma[i] + beta[i]
                i &+= 1
            }
        }
    }

    // MARK: Backward

    /// With g = dy ⊙ γ:
    ///
    ///     dx += r·(g − mean(g) − x̂·mean(g ⊙ x̂)),   dγ += Σ_rows dy ⊙ x̂,   dβ += Σ_rows dy.
    public static func backward(
        dy: UnsafePointer<Float>,  // (rows, features)
        x: UnsafePointer<Float>,  // (rows, features)
        gamma: UnsafePointer<Float>,  // (features)
        mean: UnsafePointer<Float>,  // (rows), from forward
        rstd: UnsafePointer<Float>,  // (rows), from forward
        dx: UnsafeMutablePointer<Float>,  // (rows, features)
        dGamma: UnsafeMutablePointer<Float>,  // (features)
        dBeta: UnsafeMutablePointer<Float>,  // (features)
        rows: Int, features n: Int
    ) {
        let inverseN = 1 / Float(n)
        for t in 0..<rows {
            let xRow = x + t &* n, dyRow = dy + t &* n, dxRow = dx + t &* n
            let mu = mean[t], r = rstd[t]
            // Pass 1: the two row means, and the parameter gradients.
            var gSum = SIMD16<Float>(), gxSum = SIMD16<Float>()
            var i = 0
            while i &+ 16 <= n {
                let normalized = (VectorMath.load(xRow + i) - mu) * r
                let d = VectorMath.load(dyRow + i)
                let g = d * VectorMath.load(gamma + i)
                gSum += g
                gxSum.addProduct(g, normalized)
                VectorMath.store(VectorMath.load(dGamma + i).addingProduct(d, normalized), dGamma + i)
                VectorMath.store(VectorMath.load(dBeta + i) + d, dBeta + i)
                i &+= 16
            }
            var gMean = SIMDMath.sum(gSum), gxMean = SIMDMath.sum(gxSum)
            while i < n {
                let normalized = (xRow[i] - mu) * r
                let g = dyRow[i] * gamma[i]
                gMean += g
                gxMean += g * normalized
                dGamma[i] += dyRow[i] * normalized
                dBeta[i] += dyRow[i]
                i &+= 1
            }
            gMean *= inverseN
            gxMean *= inverseN
            // Pass 2: the input gradient.
            i = 0
            while i &+ 16 <= n {
                let normalized = (VectorMath.load(xRow + i) - mu) * r
                let g = VectorMath.load(dyRow + i) * VectorMath.load(gamma + i)
                let centered = (g - gMean) - normalized * gxMean
                VectorMath.store(VectorMath.load(dxRow + i).addingProduct(centered, r), dxRow + i)
                i &+= 16
            }
            while i < n {
                let normalized = (xRow[i] - mu) * r
                let g = dyRow[i] * gamma[i]
                dxRow[i] += ((g - gMean) - normalized * gxMean) * r
                i &+= 1
            }
        }
    }
}
