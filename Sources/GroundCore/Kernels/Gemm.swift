// MARK: - Single-precision GEMM

/// Single-threaded, deterministic SGEMM on row-major matrices with explicit leading dimensions.
///
/// All three forms compute `C = op` (`accumulate == false`) or `C += op` (`accumulate == true`),
/// for any `m, n, k ≥ 0`; `k == 0` makes `op` the zero matrix. Only the `m × n` window of `C`
/// (rows `ldc` apart) is written. Operands must not overlap `C`.
///
/// Deterministic: each `C[i, j]` is accumulated over `p` in an order that depends only on `k`,
/// so results are bit-identical across calls, micro-kernels, memory addresses, and any split
/// of the rows or columns of C into separate calls (e.g. by example across threads).
/// Calls from several threads at once are safe: each takes its own packing workspace from a
/// pool, so steady-state calls do not allocate.
public enum Gemm {
    /// The operand layouts supported by ``Gemm``.
    public enum Form: String, Sendable, CaseIterable {
        /// `C = A · B`, `A` stored `m × k`, `B` stored `k × n`.
        case nn
        /// `C = Aᵀ · B`, `A` stored `k × m`, `B` stored `k × n`.
        case tn
        /// `C = A · Bᵀ`, `A` stored `m × k`, `B` stored `n × k`.
        case nt
    }

    /// `C(m×n) (+)= A(m×k) · B(k×n)`.
    public static func nn(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool
    ) {
        multiply(.nn, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
    }

    /// `C(m×n) (+)= Aᵀ · B` with `A` stored `k × m` and `B` stored `k × n`
    /// (weight gradients: `dW = Xᵀ · dY`).
    public static func tn(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool
    ) {
        multiply(.tn, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
    }

    /// `C(m×n) (+)= A · Bᵀ` with `A` stored `m × k` and `B` stored `n × k`
    /// (input gradients `dX = dY · Wᵀ`, attention scores `Q · Kᵀ`).
    public static func nt(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool
    ) {
        multiply(.nt, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
    }

    /// `C (+)= op(A) · op(B)` in the given form, optionally forcing a micro-kernel
    /// (`nil` = ``selectedMicroKernel``). Every micro-kernel gives bit-identical results;
    /// forcing one is for tests and benchmarks.
    public static func multiply(
        _ form: Form, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, microKernel: MicroKernel? = nil
    ) {
        let kernel = microKernel.map(GemmMicroKernel.init) ?? GemmMicroKernel.selected
        switch form {
        case .nn:
            precondition(lda >= k && ldb >= n && ldc >= n, "Gemm.nn: leading dimension too small")
            multiply(m: m, n: n, k: k, a: a, aRowStride: lda, aDepthStride: 1,
                     b: b, bDepthStride: ldb, bColumnStride: 1,
                     c: c, ldc: ldc, accumulate: accumulate, kernel: kernel)
        case .tn:
            precondition(lda >= m && ldb >= n && ldc >= n, "Gemm.tn: leading dimension too small")
            multiply(m: m, n: n, k: k, a: a, aRowStride: 1, aDepthStride: lda,
                     b: b, bDepthStride: ldb, bColumnStride: 1,
                     c: c, ldc: ldc, accumulate: accumulate, kernel: kernel)
        case .nt:
            precondition(lda >= k && ldb >= k && ldc >= n, "Gemm.nt: leading dimension too small")
            multiply(m: m, n: n, k: k, a: a, aRowStride: lda, aDepthStride: 1,
                     b: b, bDepthStride: 1, bColumnStride: ldb,
                     c: c, ldc: ldc, accumulate: accumulate, kernel: kernel)
        }
    }

    // MARK: Micro-kernels

    /// Register tiles of C (rows × columns) that the innermost loop can use.
    public enum MicroKernel: String, Sendable, CaseIterable {
        /// 6 × 16: the fastest tile when compiled for AVX2 (`-Xcc -march=x86-64-v3`).
        case tile6x16
        /// 8 × 32: the fastest tile when compiled for AVX-512 (`-Xcc -march=x86-64-v4`), ≈ 2× on Zen 5.
        case tile8x32
    }

    /// The micro-kernel used by default: chosen once per process by timing each candidate
    /// (≈ 2 ms on first use), since which one wins depends on the compile target.
    public static var selectedMicroKernel: MicroKernel { GemmMicroKernel.selected.kind }

    // MARK: Driver

    /// Depth of one packed block of B (`kc`): a `kc × 32` panel (32 KiB) stays in L1.
    static let maxDepth = 256
    /// Columns of one packed block of B (`nc`, a multiple of every tile width): the `kc × nc`
    /// block (512 KiB) stays in L2.
    static let maxColumns = 512
    /// Rows of A per block (`mc`, rounded down to the tile): the `mc × kc` block (192 KiB) is
    /// reused from L2 across all panels of the B block. Measured flat from 96 to 768 rows.
    static let rowBlock = 192

    /// Strided core shared by the three forms:
    /// `A[i, p] = a[i · aRowStride + p · aDepthStride]`, `B[p, j] = b[p · bDepthStride + j · bColumnStride]`.
    ///
    /// Loop nest, outer to inner: column blocks (`nc`), depth blocks (`kc`, B block packed once),
    /// row blocks (`mc`, A read in place), B panels of one tile width, A micro-tiles.
    /// Depth blocks depend only on `k`, which keeps the summation order independent of the kernel.
    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int,
        b: UnsafePointer<Float>, bDepthStride: Int, bColumnStride: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
        kernel: GemmMicroKernel
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "Gemm: negative dimension")
        guard m > 0 && n > 0 else { return }
        guard k > 0 else {
            if !accumulate { for i in 0..<m { (c + i &* ldc).update(repeating: 0, count: n) } }
            return
        }
        let mr = kernel.rows, nr = kernel.columns
        // Equal depth blocks (rounded up to 8) so the last one is not a tiny remainder.
        let depthBlocks = (k + maxDepth - 1) / maxDepth
        let kcNominal = min(maxDepth, ((k + depthBlocks - 1) / depthBlocks + 7) & ~7)
        let mcNominal = max(mr, rowBlock / mr * mr)

        GemmWorkspace.with { ws in
            var jc = 0
            while jc < n {
                let nc = min(maxColumns, n &- jc)
                var pc = 0
                while pc < k {
                    let kc = min(kcNominal, k &- pc)
                    let add = accumulate || pc > 0
                    GemmPacking.packB(depth: kc, columns: nc, panelWidth: nr,
                                      b: b + (pc &* bDepthStride &+ jc &* bColumnStride),
                                      depthStride: bDepthStride, columnStride: bColumnStride,
                                      into: ws.packedB)
                    let aBlock = a + pc &* aDepthStride
                    var ic = 0
                    while ic < m {
                        let mc = min(mcNominal, m &- ic)
                        let fullRows = mc / mr * mr
                        let edgeRows = mc &- fullRows
                        if edgeRows > 0 {
                            GemmPacking.packEdgeA(rows: edgeRows, of: mr, depth: kc,
                                                  a: aBlock + (ic &+ fullRows) &* aRowStride,
                                                  rowStride: aRowStride, depthStride: aDepthStride,
                                                  into: ws.edgeA)
                        }
                        var jr = 0
                        while jr < nc {
                            let width = min(nr, nc &- jr)
                            let panel = ws.packedB + jr &* kc
                            let cPanel = c + (jc &+ jr)
                            var ir = 0
                            while ir < fullRows {
                                let row = ic &+ ir
                                let aTile = aBlock + row &* aRowStride
                                if width == nr {
                                    kernel.run(kc, aTile, aRowStride, aDepthStride,
                                               panel, cPanel + row &* ldc, ldc, add)
                                } else {
                                    kernel.run(kc, aTile, aRowStride, aDepthStride, panel, ws.tile, nr, false)
                                    mergeTile(ws.tile, ldt: nr, rows: mr, columns: width,
                                              into: cPanel + row &* ldc, ldc: ldc, accumulate: add)
                                }
                                ir &+= mr
                            }
                            if edgeRows > 0 {
                                kernel.run(kc, ws.edgeA, 1, mr, panel, ws.tile, nr, false)
                                mergeTile(ws.tile, ldt: nr, rows: edgeRows, columns: width,
                                          into: cPanel + (ic &+ fullRows) &* ldc, ldc: ldc, accumulate: add)
                            }
                            jr &+= nr
                        }
                        ic &+= mc
                    }
                    pc &+= kc
                }
                jc &+= nc
            }
        }
    }

    /// Writes (or adds) the top-left `rows × columns` of a computed tile into C.
    private static func mergeTile(
        _ tile: UnsafeMutablePointer<Float>, ldt: Int, rows: Int, columns: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        for i in 0..<rows {
            let src = tile + i &* ldt, dst = c + i &* ldc
            if accumulate {
                for j in 0..<columns { dst[j] += src[j] }
            } else {
                for j in 0..<columns { dst[j] = src[j] }
            }
        }
    }
}
