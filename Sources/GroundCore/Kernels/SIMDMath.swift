// MARK: - Vector polynomial approximations

/// Elementary functions on `SIMD16<Float>` lanes: Cephes-style range reduction plus the Cephes
/// single-precision polynomials, branch-free so each call is straight-line vector code.
///
/// Everything here is `@inline(always)`, as are the loads, stores and lane functions of ``VectorMath``:
/// `@inline(__always)` is only a hint, dropped for large bodies or callers (each
/// `replacing(with:where:)` counts as 16 branches until LLVM turns it into a blend), and an
/// out-of-line call passes a `SIMD16` as four 4-lane pieces and runs at that width, 3–4× slower.
enum SIMDMath {
    typealias V = SIMD16<Float>
    typealias Bits = SIMD16<Int32>

    @inline(always)
    static func bits(_ v: V) -> Bits { unsafeBitCast(v, to: Bits.self) }

    @inline(always)
    static func float(_ b: Bits) -> V { unsafeBitCast(b, to: V.self) }

    /// `x` clamped to `[lo, hi]`, NaN kept. Written as selects because the generic stdlib
    /// `pointwiseMin`/`pointwiseMax` are not always inlined, and then run lane by lane.
    @inline(always)
    static func clamp(_ x: V, _ lo: Float, _ hi: Float) -> V {
        x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
    }

    /// Σ of the 16 lanes as a fixed pairwise tree (halves added until one lane is left).
    @inline(always)
    static func sum(_ v: V) -> Float {
        let v8 = v.lowHalf + v.highHalf
        let v4 = v8.lowHalf + v8.highHalf
        let v2 = v4.lowHalf + v4.highHalf
        return v2[0] + v2[1]
    }

    /// Largest of the 16 lanes (NaN lanes are ignored), by the same halving tree as ``sum(_:)``.
    @inline(always)
    static func max(_ v: V) -> Float {
        var v8 = v.lowHalf
        v8.replace(with: v.highHalf, where: v.highHalf .> v8)
        var v4 = v8.lowHalf
        v4.replace(with: v8.highHalf, where: v8.highHalf .> v4)
        var v2 = v4.lowHalf
        v2.replace(with: v4.highHalf, where: v4.highHalf .> v2)
        return v2[1] > v2[0] ? v2[1] : v2[0]
    }

    /// One Horner step: `p·x + c`.
    @inline(always)
    static func horner(_ p: V, _ x: V, _ c: Float) -> V {
        V(repeating: c).addingProduct(p, x)
    }

    /// `Float(i)` for `|i| < 2²²`: the magic constant's low mantissa bits hold the integer
    /// (the generic `SIMD16<Float>(SIMD16<Int32>)` initializer is not vectorised).
    @inline(always)
    static func float(integer i: Bits) -> V {
        let magic = V(repeating: 12_582_912)  // 1.5·2²³
        return float(bits(magic) &+ i) - magic
    }

    // MARK: exp

    /// `eˣ`. Inputs are clamped to [-104, 89]: below that the result rounds to +0 (results
    /// under 1.2e-38 are subnormal, with subnormal precision); above, it overflows to +∞.
    /// NaN → NaN.
    ///
    /// `x = n·ln2 + r`, `|r| ≤ ln2/2`, `eʳ ≈ 1 + r + r²·P(r)`; `2ⁿ` is applied as two exponent
    /// scalings `2^⌊n/2⌋ · 2^(n−⌊n/2⌋)` so subnormal and overflowing results come out right.
    @inline(always)
    static func exp(_ x: V) -> V {
        let xc = clamp(x, -104, 89)
        // Adding 1.5·2²³ rounds x·log₂e to an integer that lands in the low mantissa bits.
        let magic = V(repeating: 12_582_912)
        let t = magic.addingProduct(xc, V(repeating: 1.442_695_04))
        let n = t - magic
        // ln2 split in two so n·ln2 is subtracted without rounding error.
        let r = xc.addingProduct(n, V(repeating: -0.693_359_375))
            .addingProduct(n, V(repeating: 2.121_944_40e-4))
        var p = V(repeating: 1.987_569_150_0e-4)
        p = horner(p, r, 1.398_199_950_7e-3)
        p = horner(p, r, 8.333_451_907_3e-3)
        p = horner(p, r, 4.166_579_589_4e-2)
        p = horner(p, r, 1.666_666_545_9e-1)
        p = horner(p, r, 5.000_000_120_1e-1)
        let y = (r + 1).addingProduct(p, r * r)
        let k = bits(t) &- bits(magic)
        let k1 = k &>> 1
        let k2 = k &- k1
        let result = y * float((k1 &+ 127) &<< 23) * float((k2 &+ 127) &<< 23)
        return result.replacing(with: x, where: x .!= x)
    }

    // MARK: log

    /// Natural logarithm. `log(0) = −∞`, `log(x < 0) = NaN`, `log(+∞) = +∞`, NaN → NaN;
    /// subnormal inputs are handled exactly.
    ///
    /// `x = 2ᵉ·m` with `m ∈ [√½, √2)`, `log(m) ≈ f − f²/2 + f³·P(f)` for `f = m − 1`.
    @inline(always)
    static func log(_ x: V) -> V {
        let subnormal = x .< V(repeating: .leastNormalMagnitude)
        let xs = x.replacing(with: x * 8_388_608, where: subnormal)  // × 2²³ is exact.
        let b = bits(xs)
        var e = (b &>> 23) &- 126
        e.replace(with: e &- 23, where: subnormal)
        let m = float((b & 0x007F_FFFF) | 0x3F00_0000)  // m ∈ [0.5, 1)
        let low = m .< V(repeating: 0.707_106_781_186_547_524)
        e.replace(with: e &- 1, where: low)
        let f = (m - 1) + V(repeating: 0).replacing(with: m, where: low)
        let ef = float(integer: e)
        let z = f * f
        var p = V(repeating: 7.037_683_629_2e-2)
        p = horner(p, f, -1.151_461_031_0e-1)
        p = horner(p, f, 1.167_699_874_0e-1)
        p = horner(p, f, -1.242_014_084_6e-1)
        p = horner(p, f, 1.424_932_278_7e-1)
        p = horner(p, f, -1.666_805_766_5e-1)
        p = horner(p, f, 2.000_071_476_5e-1)
        p = horner(p, f, -2.499_999_399_3e-1)
        p = horner(p, f, 3.333_333_117_4e-1)
        var y = (f * z) * p
        y = y.addingProduct(ef, V(repeating: -2.121_944_40e-4))
        y = y.addingProduct(z, V(repeating: -0.5))
        var result = (f + y).addingProduct(ef, V(repeating: 0.693_359_375))
        result.replace(with: .nan, where: x .< 0)
        result.replace(with: -.infinity, where: x .== 0)
        result.replace(with: x, where: .!(x .< .infinity) .& .!(x .< 0))  // +∞ and NaN
        return result
    }

    // MARK: tanh

    /// Hyperbolic tangent: `x + x³·P(x²)` for `|x| < 0.625`, else `1 − 2/(e^{2|x|} + 1)` with
    /// the sign of `x` (saturates to ±1 exactly). NaN → NaN.
    @inline(always)
    static func tanh(_ x: V) -> V {
        let ax = float(bits(x) & Bits(repeating: Int32.max))
        let z = x * x
        var p = V(repeating: -5.704_988_727_45e-3)
        p = horner(p, z, 2.063_908_879_54e-2)
        p = horner(p, z, -5.373_971_555_31e-2)
        p = horner(p, z, 1.333_144_220_36e-1)
        p = horner(p, z, -3.333_328_194_22e-1)
        let small = x.addingProduct(x * z, p)
        let one = V(repeating: 1)
        let large = one - V(repeating: 2) / (exp(ax + ax) + one)
        let signed = float(bits(large) | (bits(x) & Bits(repeating: Int32.min)))
        return signed.replacing(with: small, where: ax .< 0.625)
    }
}
