// MARK: - Row softmax

extension VectorMath {
    /// Row-wise softmax of a `rows × columns` matrix, numerically stable:
    ///
    ///     z[j] = x[j] + mask[j],   y[j] = e^{z[j] − max z} / Σₖ e^{z[k] − max z}
    ///
    /// `mask` is an optional additive mask (use `-Float.infinity` to exclude a position);
    /// row `r` uses `mask + r · maskStride`, so `maskStride = 0` applies one mask row to every
    /// row (key padding) and `maskStride = columns` a full matrix (e.g. causal). A row whose
    /// every `z` is −∞ becomes all zeros instead of NaN; `+∞` or NaN inputs give a NaN row.
    /// Relative error ≤ 1e-6 per element. `y` may alias `x` (with `ldy == ldx`).
    public static func softmaxRows(
        _ x: UnsafePointer<Float>, ldx: Int,
        into y: UnsafeMutablePointer<Float>, ldy: Int,
        rows: Int, columns: Int,
        mask: UnsafePointer<Float>? = nil, maskStride: Int = 0
    ) {
        for r in 0..<rows {
            softmaxRow(x + r &* ldx, into: y + r &* ldy, count: columns, mask: mask.map { $0 + r &* maskStride })
        }
    }

    /// Backward pass of ``softmaxRows(_:ldx:into:ldy:rows:columns:mask:maskStride:)`` given its
    /// output `y`: `dx[j] = y[j] · (dy[j] − Σₖ y[k]·dy[k])` per row. `dx` may alias `dy`.
    public static func softmaxRowsBackward(
        output y: UnsafePointer<Float>, ldy: Int,
        outputGradient dy: UnsafePointer<Float>, lddy: Int,
        into dx: UnsafeMutablePointer<Float>, lddx: Int,
        rows: Int, columns: Int
    ) {
        for r in 0..<rows {
            softmaxRowBackward(output: y + r &* ldy, outputGradient: dy + r &* lddy, into: dx + r &* lddx, count: columns)
        }
    }

    /// One row of ``softmaxRows(_:ldx:into:ldy:rows:columns:mask:maskStride:)`` with the logits
    /// scaled first (attention's 1/√d): `z[j] = scale·x[j] + mask[j]`, `scale > 0`. `y` may be `x`.
    static func softmaxRow(
        _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int,
        mask: UnsafePointer<Float>?, scale: Float = 1
    ) {
        // Pass 1: z into y, and its maximum (tail lanes padded with −∞, which scale > 0 keeps).
        var vmax = V(repeating: -.infinity)
        var i = 0
        while i &+ 16 <= n {
            var z = load(x + i)
            if let mask { z = load(mask + i).addingProduct(z, scale) } else { z *= scale }
            vmax.replace(with: z, where: z .> vmax)
            store(z, y + i)
            i &+= 16
        }
        if i < n {
            var z = loadPartial(x + i, n &- i, fill: -.infinity)
            if let mask { z = loadPartial(mask + i, n &- i).addingProduct(z, scale) } else { z *= scale }
            vmax.replace(with: z, where: z .> vmax)
            storePartial(z, y + i, n &- i)
        }
        let rowMax = SIMDMath.max(vmax)
        guard rowMax > -.infinity else {
            y.update(repeating: 0, count: n)
            return
        }
        // Pass 2: exponentials and their sum; pass 3: normalise.
        let shift = V(repeating: rowMax)
        var vsum = V()
        i = 0
        while i &+ 16 <= n {
            let e = shiftedExp(load(y + i), shift)
            vsum += e
            store(e, y + i)
            i &+= 16
        }
        if i < n {
            let e = shiftedExp(loadPartial(y + i, n &- i, fill: -.infinity), shift)
            vsum += e
            storePartial(e, y + i, n &- i)
        }
        map(y, y, n, Scale(factor: V(repeating: 1 / SIMDMath.sum(vsum))))
    }

    /// `e^{z − shift}`, with −∞ lanes (masked, or padding) set to 0 without evaluating exp there:
    /// exp(−∞) underflows on the way to its 0, which x86 handles in microcode (a row with every
    /// ninth key masked took twice as long).
    @inline(always)
    static func shiftedExp(_ z: V, _ shift: V) -> V {
        let masked = z .== -.infinity
        return SIMDMath.exp((z - shift).replacing(with: 0, where: masked)).replacing(with: 0, where: masked)
    }

    /// One row of ``softmaxRowsBackward(output:ldy:outputGradient:lddy:into:lddx:rows:columns:)``
    /// for logits that were scaled by `scale` (see ``softmaxRow(_:into:count:mask:scale:)``):
    /// `dx[j] = scale · y[j] · (dy[j] − Σₖ y[k]·dy[k])`. `dx` may alias `dy`.
    static func softmaxRowBackward(
        output y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>, count: Int, scale: Float = 1
    ) {
        map(y, dy, dx, count, SoftmaxGradient(dot: V(repeating: VectorMath.dot(y, dy, count: count)), scale: scale))
    }

    /// `scale · y · (dy − dot)`
    struct SoftmaxGradient: Lanewise2 {
        let dot: V
        let scale: Float
        @inline(always) func callAsFunction(_ y: V, _ dy: V) -> V { y * (dy - dot) * scale }
    }
}
