// MARK: - GELU (tanh approximation)

extension VectorMath {
    /// √(2/π)
    static let geluScale: Float = 0.797_884_560_802_865_4
    /// Cubic coefficient of the tanh approximation.
    static let geluCubic: Float = 0.044_715

    /// `y[i] = gelu(x[i])` with the tanh approximation
    ///
    ///     gelu(x) = ½·x·(1 + tanh u),   u = √(2/π)·(x + 0.044715·x³)
    ///
    /// evaluated as `x·σ(2u)` (identical in exact arithmetic, since ½(1 + tanh u) = σ(2u)) so
    /// the negative tail keeps full relative precision instead of cancelling in `1 + tanh u`.
    /// Relative error against the formula in `Double` is ≤ 2e-7·(1 + |2u|): ≤ 1e-6 for x ≥ −3,
    /// growing in the negative tail where `e^{2u}` amplifies the rounding of `u` (1e-5 at
    /// x = −9, where gelu(x) ≈ −7e-29). `gelu(−∞) = 0`, `gelu(+∞) = +∞`, NaN → NaN.
    public static func gelu(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count, GELU())
    }

    /// `dx[i] = dy[i] · gelu′(x[i])`, or with `accumulate` `dx[i] += dy[i] · gelu′(x[i])` (one
    /// fused multiply-add), for the tanh approximation, with `s = σ(2u)`:
    ///
    ///     gelu′(x) = s + x·s·(1 − s)·2√(2/π)·(1 + 3·0.044715·x²)
    ///
    /// `1 − s` is computed as `e·s` with `e = e^{−2u}` (no cancellation). `dx` may alias `dy`.
    /// Error ≤ 1e-6 · |dy| · max(|gelu′(x)|, 0.1) against the formula in `Double`;
    /// gelu′ is exactly 1 above 15 and below 1e-35 in magnitude under −15 (±∞ included). NaN → NaN.
    public static func geluBackward(
        _ x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool = false
    ) {
        if accumulate {
            map(x, dy, dx, dx, count, GELUGradientAdded())
        } else {
            map(x, dy, dx, count, GELUGradient())
        }
    }

    struct GELU: Lanewise {
        @inline(always) func callAsFunction(_ x: V) -> V { geluForward(x) }
    }

    /// `dy · gelu′(x)`
    struct GELUGradient: Lanewise2 {
        @inline(always) func callAsFunction(_ x: V, _ dy: V) -> V { dy * geluDerivative(x) }
    }

    /// `dx + dy · gelu′(x)`, one rounding.
    struct GELUGradientAdded: Lanewise3 {
        @inline(always) func callAsFunction(_ x: V, _ dy: V, _ dx: V) -> V { dx.addingProduct(dy, geluDerivative(x)) }
    }

    @inline(always)
    static func geluForward(_ x: V) -> V {
        let u = V(repeating: geluScale) * x.addingProduct(x * x * x, V(repeating: geluCubic))
        let s = 1 / (SIMDMath.exp(-(u + u)) + 1)
        // s == 0 only for x below ≈ −10.6, where the product underflows anyway; this keeps −∞ at 0.
        return (x * s).replacing(with: 0, where: s .== 0)
    }

    @inline(always)
    static func geluDerivative(_ x: V) -> V {
        // Beyond ±15 gelu′ is 0 or 1 to Float precision; clamping keeps e·s finite (no ∞·0).
        let xc = SIMDMath.clamp(x, -15, 15)
        let x2 = xc * xc
        let u = V(repeating: geluScale) * xc.addingProduct(xc * x2, V(repeating: geluCubic))
        let e = SIMDMath.exp(SIMDMath.clamp(-(u + u), -.infinity, 88))
        let s = 1 / (e + 1)
        let du = V(repeating: 2 * geluScale).addingProduct(x2, V(repeating: 2 * geluScale * 3 * geluCubic))
        let d = s.addingProduct(xc * s * (e * s), du)
        return d.replacing(with: x, where: x .!= x)
    }
}
