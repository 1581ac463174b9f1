import Foundation

/// 8-wide SIMD building blocks shared by the layers: unaligned loads/stores, reductions and a
/// vectorised exp. Loops over a row run `SIMD8` chunks, then a scalar tail.
enum LayerMath {
    static let width = 8

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// Σ x[i]
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i &+ 8 <= n {
            acc += load(x + i)
            i &+= 8
        }
        var total = acc.sum()
        while i < n {
            total += x[i]
            i &+= 1
        }
        return total
    }

    /// Σ x[i]·y[i]
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i &+ 8 <= n {
            acc.addProduct(load(x + i), load(y + i))
            i &+= 8
        }
        var total = acc.sum()
        while i < n {
            total += x[i] * y[i]
            i &+= 1
        }
        return total
    }

    /// max x[i] (−∞ for n = 0)
    @inline(__always)
    static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i &+ 8 <= n {
            let v = load(x + i)
            acc.replace(with: v, where: v .> acc)
            i &+= 8
        }
        var result = acc.max()
        while i < n {
            result = Swift.max(result, x[i])
            i &+= 1
        }
        return result
    }

    /// eˣ within 1 ulp (measured ≤ 0.86 ulp over [−87, 88]): 2ⁿ·p(r) with n = round(x·log₂e),
    /// r = x − n·ln 2 ∈ [−ln2/2, ln2/2] and p the degree-7 Taylor polynomial (truncation < 6e-9
    /// relative). Inputs below −87.3 (including −∞) give exactly 0, so masked softmax entries
    /// vanish; inputs above 88.3 are clamped (≈ 2¹²⁷).
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let lowest: Float = -87.3, highest: Float = 88.3
        // Compare-and-select rather than pointwiseMin/Max, which do not vectorise; NaN stays NaN.
        let clamped = x.replacing(with: lowest, where: x .< lowest).replacing(with: highest, where: x .> highest)
        // Adding 1.5·2²³ rounds to an integer held in the low mantissa bits.
        let shifter = SIMD8<Float>(repeating: 0x1.8p23)
        let shifted = shifter.addingProduct(clamped, 1.442_695_04)
        let n = shifted - shifter
        let r = clamped.addingProduct(n, -0.693_145_75).addingProduct(n, -1.428_606_8e-6)
        var p = SIMD8<Float>(repeating: 1.0 / 5040)
        p = SIMD8(repeating: 1.0 / 720).addingProduct(p, r)
        p = SIMD8(repeating: 1.0 / 120).addingProduct(p, r)
        p = SIMD8(repeating: 1.0 / 24).addingProduct(p, r)
        p = SIMD8(repeating: 1.0 / 6).addingProduct(p, r)
        p = SIMD8(repeating: 0.5).addingProduct(p, r)
        p = SIMD8(repeating: 1).addingProduct(p, r)
        p = SIMD8(repeating: 1).addingProduct(p, r)
        let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(shifter, to: SIMD8<Int32>.self)
        let twoToN = unsafeBitCast((exponent &+ 127) &<< 23, to: SIMD8<Float>.self)
        return (p * twoToN).replacing(with: 0, where: x .< lowest)
    }

    /// Scalar eˣ with the same convention (0 below −87.3), for loop tails.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        x < -87.3 ? 0 : Foundation.exp(Swift.min(x, 88.3))
    }
}
