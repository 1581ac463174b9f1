// MARK: - Element-wise vector math

/// Vectorised element-wise functions on `Float` buffers (16 lanes per step).
///
/// Every function reads `count` elements from its inputs and writes `count` to its output;
/// the output may be exactly the same buffer as an input (in-place), but must not partially
/// overlap one. Tails shorter than 16 go through
/// the same vector code, so a value's result never depends on its position in the buffer.
public enum VectorMath {
    typealias V = SIMD16<Float>

    /// `y[i] = eˣ⁽ⁱ⁾`. Relative error ≤ 2e-7 (measured 1.2e-7) for results ≥ 1.2e-38; results
    /// below that are subnormal, with subnormal precision; `x < −104` gives `+0`,
    /// `x > 88.72` gives `+∞`, NaN gives NaN.
    public static func exp(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count, SIMDMath.exp)
    }

    /// `y[i] = ln x[i]`. Relative error ≤ 2e-7 (measured 8e-8) over all positive floats,
    /// subnormals included; `ln 0 = −∞`, `ln(x < 0) = NaN`, `ln +∞ = +∞`, NaN → NaN.
    public static func log(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count, SIMDMath.log)
    }

    /// `y[i] = tanh x[i]`. Relative error ≤ 2e-7 (measured 1.5e-7); exactly ±1 for `|x| ≥ 9.1`,
    /// NaN → NaN.
    public static func tanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count, SIMDMath.tanh)
    }

    // MARK: Loop helpers

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// The first `count < 16` elements, the rest of the lanes set to `fill`.
    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> V {
        var v = V(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    @inline(__always)
    static func storePartial(_ v: V, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }

    /// `y[i] = f(x[i])`, 16 lanes at a time.
    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
                    _ f: (V) -> V) {
        var i = 0
        while i &+ 16 <= count {
            store(f(load(x + i)), y + i)
            i &+= 16
        }
        if i < count { storePartial(f(loadPartial(x + i, count &- i)), y + i, count &- i) }
    }

    /// `z[i] = f(x[i], y[i])`, 16 lanes at a time.
    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
                    _ count: Int, _ f: (V, V) -> V) {
        var i = 0
        while i &+ 16 <= count {
            store(f(load(x + i), load(y + i)), z + i)
            i &+= 16
        }
        if i < count {
            let n = count &- i
            storePartial(f(loadPartial(x + i, n), loadPartial(y + i, n)), z + i, n)
        }
    }
}
