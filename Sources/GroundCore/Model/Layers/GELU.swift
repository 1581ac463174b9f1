/// GELU, tanh approximation (as in GPT-2 / BERT):
///
///     u(x) = √(2/π)·(x + 0.044715·x³),   y = ½x·(1 + tanh u) = x·σ(2u),
///
/// computed through the logistic σ(z) = 1/(1 + e^−z), since ½(1 + tanh u) = σ(2u). Derivative:
///
///     dy/dx = s + x·s·(1 − s)·2u'(x),   s = σ(2u),   u'(x) = √(2/π)·(1 + 3·0.044715·x²).
public enum GELU {
    static let sqrtTwoOverPi: Float = 0.797_884_56
    static let cubic: Float = 0.044_715

    // MARK: Forward

    /// y = GELU(x) element-wise. `y` may be `x` only for inference: the backward needs x.
    public static func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            let v = LayerMath.load(x + i)
            LayerMath.store(v * logistic(twiceU(v)), y + i)
            i &+= 8
        }
        while i < count {
            let v = x[i]
            y[i] = v * logistic(twiceU(v))
            i &+= 1
        }
    }

    // MARK: Backward

    /// dx += dy ⊙ GELU'(x).
    public static func backward(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i &+ 8 <= count {
            let v = LayerMath.load(x + i)
            let s = logistic(twiceU(v))
            let twiceUPrime = 2 * sqrtTwoOverPi * (1 + 3 * cubic * v * v)
            let derivative = s + v * s * (1 - s) * twiceUPrime
            LayerMath.store(LayerMath.load(dx + i).addingProduct(LayerMath.load(dy + i), derivative), dx + i)
            i &+= 8
        }
        while i < count {
            let v = x[i]
            let s = logistic(twiceU(v))
            let twiceUPrime = 2 * sqrtTwoOverPi * (1 + 3 * cubic * v * v)
            dx[i] += dy[i] * (s + v * s * (1 - s) * twiceUPrime)
            i &+= 1
        }
    }

    // MARK: Pieces

    @inline(__always)
    static func twiceU(_ x: SIMD8<Float>) -> SIMD8<Float> { 2 * sqrtTwoOverPi * x * (1 + cubic * x * x) }

    @inline(__always)
    static func twiceU(_ x: Float) -> Float { 2 * sqrtTwoOverPi * x * (1 + cubic * x * x) }

    /// σ(z); e^−z saturates at ≈ 2¹²⁷ for z < −88, giving σ ≈ 0 rather than inf/NaN.
    @inline(__always)
    static func logistic(_ z: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + LayerMath.exp(-z)) }

    @inline(__always)
    static func logistic(_ z: Float) -> Float { 1 / (1 + LayerMath.exp(-z)) }
}
