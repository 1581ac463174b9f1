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
        map(x, y, count, Exp())
    }

    /// `y[i] = ln x[i]`. Relative error ≤ 2e-7 (measured 8e-8) over all positive floats,
    /// subnormals included; `ln 0 = −∞`, `ln(x < 0) = NaN`, `ln +∞ = +∞`, NaN → NaN.
    public static func log(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count, Log())
    }

    /// `y[i] = tanh x[i]`. Relative error ≤ 2e-7 (measured 1.5e-7); exactly ±1 for `|x| ≥ 9.1`,
    /// NaN → NaN.
    public static func tanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count, Tanh())
    }

    struct Exp: Lanewise {
        @inline(always) func callAsFunction(_ x: V) -> V { SIMDMath.exp(x) }
    }

    struct Log: Lanewise {
        @inline(always) func callAsFunction(_ x: V) -> V { SIMDMath.log(x) }
    }

    struct Tanh: Lanewise {
        @inline(always) func callAsFunction(_ x: V) -> V { SIMDMath.tanh(x) }
    }

    // MARK: Loop helpers

    // `@inline(always)`: see ``SIMDMath``.

    @inline(always)
    static func load(_ p: UnsafePointer<Float>) -> V { load(p, as: V.self) }

    /// `S.scalarCount` elements, also for loops whose rows suit a narrower vector than 16 lanes.
    @inline(always)
    static func load<S: SIMD>(_ p: UnsafePointer<Float>, as _: S.Type) -> S where S.Scalar == Float {
        UnsafeRawPointer(p).loadUnaligned(as: S.self)
    }

    @inline(always)
    static func store<S: SIMD>(_ v: S, _ p: UnsafeMutablePointer<Float>) where S.Scalar == Float {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: S.self)
    }

    /// The first `count < 16` elements, the rest of the lanes set to `fill`.
    @inline(always)
    static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> V {
        var v = V(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    @inline(always)
    static func storePartial(_ v: V, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }

    /// A lane-wise function of one, two or three vectors, for the `map` loops. Kernels pass their
    /// vector math as a value of a conforming type rather than as a closure: `map` is specialised
    /// for the type, so the call is direct and its `@inline(always)` body lands in the loop (a
    /// closure is inlined only while it is small, or else called per vector).
    protocol Lanewise {
        func callAsFunction(_ x: V) -> V
    }

    protocol Lanewise2 {
        func callAsFunction(_ x: V, _ y: V) -> V
    }

    protocol Lanewise3 {
        func callAsFunction(_ x: V, _ y: V, _ z: V) -> V
    }

    /// `y[i] = f(x[i])`, 16 lanes at a time.
    @inline(__always)
    static func map<F: Lanewise>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int, _ f: F) {
        var i = 0
        while i &+ 16 <= count {
            store(f(load(x + i)), y + i)
            i &+= 16
        }
        if i < count { storePartial(f(loadPartial(x + i, count &- i)), y + i, count &- i) }
    }

    /// `z[i] = f(x[i], y[i])`, 16 lanes at a time.
    @inline(__always)
    static func map<F: Lanewise2>(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
                                  _ count: Int, _ f: F) {
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

    /// `w[i] = f(x[i], y[i], z[i])`, 16 lanes at a time.
    @inline(__always)
    static func map<F: Lanewise3>(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafePointer<Float>,
                                  _ w: UnsafeMutablePointer<Float>, _ count: Int, _ f: F) {
        var i = 0
        while i &+ 16 <= count {
            store(f(load(x + i), load(y + i), load(z + i)), w + i)
            i &+= 16
        }
        if i < count {
            let n = count &- i
            storePartial(f(loadPartial(x + i, n), loadPartial(y + i, n), loadPartial(z + i, n)), w + i, n)
        }
    }
}
