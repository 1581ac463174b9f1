/// Element-wise operations on contiguous Float32 buffers of `count` elements, on the vector loops
/// of ``VectorMath``.
///
/// Residual connections use `add`: the forward is `y += x` (or `out = a + b`), and the backward of
/// any sum is the incoming gradient added unchanged to each summand's gradient, `dx += dy`.
public enum Elementwise {
    /// y += x
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.map(x, y, y, count, VectorMath.Add())
    }

    /// y += α·x
    public static func add(_ x: UnsafePointer<Float>, scaledBy alpha: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.axpy(alpha, x, y, count: count)
    }

    /// out = a + b (`out` may be `a` or `b`)
    public static func add(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        VectorMath.map(a, b, out, count, VectorMath.Add())
    }

    /// x *= α
    public static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        VectorMath.map(x, x, count, VectorMath.Scale(factor: VectorMath.V(repeating: alpha)))
    }
}
