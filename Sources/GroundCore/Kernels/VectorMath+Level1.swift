// MARK: - Level-1 BLAS

extension VectorMath {
    /// `Σᵢ x[i]·y[i]`, accumulated in 4 × 16 lanes (fixed order: deterministic).
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = V(), s1 = V(), s2 = V(), s3 = V()
        var i = 0
        while i &+ 64 <= count {
            s0 = s0.addingProduct(load(x + i), load(y + i))
            s1 = s1.addingProduct(load(x + (i &+ 16)), load(y + (i &+ 16)))
            s2 = s2.addingProduct(load(x + (i &+ 32)), load(y + (i &+ 32)))
            s3 = s3.addingProduct(load(x + (i &+ 48)), load(y + (i &+ 48)))
            i &+= 64
        }
        while i &+ 16 <= count {
            s0 = s0.addingProduct(load(x + i), load(y + i))
            i &+= 16
        }
        if i < count { s0 = s0.addingProduct(loadPartial(x + i, count &- i), loadPartial(y + i, count &- i)) }
        return SIMDMath.sum((s0 + s1) + (s2 + s3))
    }

    /// `Σᵢ x[i]`, accumulated in 4 × 16 lanes (fixed order: deterministic).
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = V(), s1 = V(), s2 = V(), s3 = V()
        var i = 0
        while i &+ 64 <= count {
            s0 += load(x + i)
            s1 += load(x + (i &+ 16))
            s2 += load(x + (i &+ 32))
            s3 += load(x + (i &+ 48))
            i &+= 64
        }
        while i &+ 16 <= count {
            s0 += load(x + i)
            i &+= 16
        }
        if i < count { s0 += loadPartial(x + i, count &- i) }
        return SIMDMath.sum((s0 + s1) + (s2 + s3))
    }

    /// `y[i] += alpha · x[i]`.
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, y, count, Axpy(alpha: V(repeating: alpha)))
    }

    /// `α·x + y`, one rounding.
    struct Axpy: Lanewise2 {
        let alpha: V
        @inline(always) func callAsFunction(_ x: V, _ y: V) -> V { y.addingProduct(alpha, x) }
    }

    /// `x + y`
    struct Add: Lanewise2 {
        @inline(always) func callAsFunction(_ x: V, _ y: V) -> V { x + y }
    }

    /// `factor · x`
    struct Scale: Lanewise {
        let factor: V
        @inline(always) func callAsFunction(_ x: V) -> V { x * factor }
    }
}
