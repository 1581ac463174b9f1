/// GELU, tanh approximation (as in GPT-2 / BERT):
///
///     u(x) = √(2/π)·(x + 0.044715·x³),   y = ½x·(1 + tanh u) = x·σ(2u),
///
///     dy/dx = s + x·s·(1 − s)·2u'(x),   s = σ(2u),   u'(x) = √(2/π)·(1 + 3·0.044715·x²).
///
/// The layer interface to ``VectorMath/gelu(_:into:count:)`` and
/// ``VectorMath/geluBackward(_:outputGradient:into:count:accumulate:)``, which hold the math.
public enum GELU {
    // MARK: Forward

    /// y = GELU(x) element-wise. `y` may be `x` only for inference: the backward needs x.
    public static func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.gelu(x, into: y, count: count)
    }

    // MARK: Backward

    /// dx += dy ⊙ GELU'(x).
    public static func backward(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        VectorMath.geluBackward(x, outputGradient: dy, into: dx, count: count, accumulate: true)
    }
}
