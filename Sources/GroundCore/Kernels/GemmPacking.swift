// MARK: - Operand packing

/// Copies of GEMM operands into the contiguous layouts the micro-kernels stream through.
enum GemmPacking {
    /// Packs the `kc × nc` block `B[p, j] = b[p · depthStride + j · columnStride]` into panels
    /// of `nr` columns (a multiple of 16): panel `q` holds `dst[q · kc · nr + p · nr + j'] = B[p, q · nr + j']`,
    /// with columns past `nc` set to zero so the kernel can always compute full tiles.
    static func packB(
        depth kc: Int, columns nc: Int, panelWidth nr: Int,
        b: UnsafePointer<Float>, depthStride ds: Int, columnStride cs: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD16<Float>
        var out = dst
        var j0 = 0
        while j0 < nc {
            let width = min(nr, nc &- j0)
            if cs == 1 && width == nr {
                // Panel rows are contiguous in B (`nn`, `tn`): vector copies.
                var src = UnsafeRawPointer(b + j0)
                var row = UnsafeMutableRawPointer(out)
                for _ in 0..<kc {
                    for v in stride(from: 0, to: nr &* 4, by: 64) {
                        row.storeBytes(of: src.loadUnaligned(fromByteOffset: v, as: V.self), toByteOffset: v, as: V.self)
                    }
                    src += ds &* 4
                    row += nr &* 4
                }
            } else {
                if width < nr { out.update(repeating: 0, count: kc &* nr) }
                // One source column at a time: for `nt` that is a contiguous row of the stored B.
                for j in 0..<width {
                    let src = b + (j0 &+ j) &* cs
                    for p in 0..<kc { out[p &* nr &+ j] = src[p &* ds] }
                }
            }
            out += kc &* nr
            j0 &+= nr
        }
    }

    /// Packs the last `mr < rows` rows of an A block, `A[i, p] = a[i · rowStride + p · depthStride]`,
    /// as `dst[p · rows + i]`, zero-padding rows `mr..<rows`; kernels read it with
    /// `rowStride = 1, depthStride = rows`.
    static func packEdgeA(
        rows mr: Int, of rows: Int, depth kc: Int,
        a: UnsafePointer<Float>, rowStride rs: Int, depthStride ds: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        dst.update(repeating: 0, count: kc &* rows)
        for i in 0..<mr {
            let src = a + i &* rs
            for p in 0..<kc { dst[p &* rows &+ i] = src[p &* ds] }
        }
    }
}
