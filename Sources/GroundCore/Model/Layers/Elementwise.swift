/// Element-wise operations on contiguous Float32 buffers of `count` elements, 8-wide SIMD.
///
/// Residual connections use `add`: the forward is `y += x` (or `out = a + b`), and the backward of
/// any sum is the incoming gradient added unchanged to each summand's gradient, `dx += dy`.
public enum Elementwise {
    /// y += x
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            LayerMath.store(LayerMath.load(y + i) + LayerMath.load(x + i), y + i)
            i &+= 8
        }
        while i < count {
            y[i] += x[i]
            i &+= 1
        }
    }

    /// y += α·x
    public static func add(_ x: UnsafePointer<Float>, scaledBy alpha: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            LayerMath.store(LayerMath.load(y + i).addingProduct(alpha, LayerMath.load(x + i)), y + i)
            i &+= 8
        }
        while i < count {
            y[i] += alpha * x[i]
            i &+= 1
        }
    }

    /// out = a + b (`out` may be `a` or `b`)
    public static func add(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i &+ 8 <= count {
            LayerMath.store(LayerMath.load(a + i) + LayerMath.load(b + i), out + i)
            i &+= 8
        }
        while i < count {
            out[i] = a[i] + b[i]
            i &+= 1
        }
    }

    /// x *= α
    public static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            LayerMath.store(LayerMath.load(x + i) * alpha, x + i)
            i &+= 8
        }
        while i < count {
            x[i] *= alpha
            i &+= 1
        }
    }
}
