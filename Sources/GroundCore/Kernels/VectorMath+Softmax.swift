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
            softmaxRow(x + r &* ldx, y + r &* ldy, columns, mask.map { $0 + r &* maskStride })
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
            let yr = y + r &* ldy, dyr = dy + r &* lddy
            let dot = VectorMath.dot(yr, dyr, count: columns)
            map(yr, dyr, dx + r &* lddx, columns) { y, dy in y * (dy - V(repeating: dot)) }
        }
    }

    private static func softmaxRow(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ mask: UnsafePointer<Float>?
    ) {
        // Pass 1: z = x + mask into y, and its maximum (tail lanes padded with −∞).
        var vmax = V(repeating: -.infinity)
        var i = 0
        while i &+ 16 <= n {
            var z = load(x + i)
            if let mask { z += load(mask + i) }
            vmax.replace(with: z, where: z .> vmax)
            store(z, y + i)
            i &+= 16
        }
        if i < n {
            var z = loadPartial(x + i, n &- i, fill: -.infinity)
            if let mask { z += loadPartial(mask + i, n &- i) }
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
            let e = SIMDMath.exp(load(y + i) - shift)
            vsum += e
            store(e, y + i)
            i &+= 16
        }
        if i < n {
            let e = SIMDMath.exp(loadPartial(y + i, n &- i, fill: -.infinity) - shift)
            vsum += e
            storePartial(e, y + i, n &- i)
        }
        let scale = V(repeating: 1 / SIMDMath.sum(vsum))
        map(y, y, n) { $0 * scale }
    }
}
