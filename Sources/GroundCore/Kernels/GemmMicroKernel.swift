import Dispatch

// MARK: - Register-blocked GEMM micro-kernels

/// The innermost GEMM kernel: a `rows × columns` tile of C held in vector registers.
///
/// For `i < rows`, `j < columns` it computes
///
///     C[i, j] (= or +=) Σ_{p < kc} A[i, p] · B[p, j]
///
/// where `A[i, p] = a[i · rowStride + p · depthStride]` is read in place (so one kernel serves
/// both `A` and `Aᵀ`) and `B` is a packed panel of `kc` rows of `columns` contiguous floats.
/// Each C element is one FMA chain over `p` in increasing order, so every tile shape produces
/// bit-identical results; only speed differs.
struct GemmMicroKernel: Sendable {
    let kind: Gemm.MicroKernel
    let rows: Int
    let columns: Int

    /// The largest tile of any kernel, for sizing workspaces.
    static let maxRows = 8
    static let maxColumns = 32

    init(_ kind: Gemm.MicroKernel) {
        self.kind = kind
        switch kind {
        case .tile6x16: (rows, columns) = (6, 16)
        case .tile8x32: (rows, columns) = (8, 32)
        }
    }

    /// One tile: `C[0..<rows, 0..<columns] (+)= A-tile · B-panel` over `kc` steps.
    func run(
        _ kc: Int, _ a: UnsafePointer<Float>, _ rowStride: Int, _ depthStride: Int,
        _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
    ) {
        switch kind {
        case .tile6x16:
            Self.tile6x16(depth: kc, a: a, rowStride: rowStride, depthStride: depthStride,
                          b: b, c: c, ldc: ldc, accumulate: accumulate)
        case .tile8x32:
            Self.tile8x32(depth: kc, a: a, rowStride: rowStride, depthStride: depthStride,
                          b: b, c: c, ldc: ldc, accumulate: accumulate)
        }
    }

    // MARK: Selection

    /// The faster kernel for the instruction set this module was compiled for, picked once by
    /// timing both on an L1-resident problem (≈ 2 ms). Swift has no compile-time test for AVX-512,
    /// and which tile wins depends on it: 6 × 16 under AVX2 (16 registers), 8 × 32 under AVX-512.
    static let selected: GemmMicroKernel = {
        let candidates = Gemm.MicroKernel.allCases.map(GemmMicroKernel.init)
        let times = candidates.map(nanosecondsForTestProblem)
        return candidates[times.indices.min { times[$0] < times[$1] }!]
    }()

    /// Best of 5 timings of the same 48 × 32 × 256 product (repeated 20 times) with `kernel`.
    private static func nanosecondsForTestProblem(_ kernel: GemmMicroKernel) -> Double {
        let kc = 256, m = 48, n = 32
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * kc)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: kc * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        a.initialize(repeating: 0.5, count: m * kc)
        b.initialize(repeating: 0.25, count: kc * n)
        c.initialize(repeating: 0, count: m * n)
        var best = Double.infinity
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<20 {
                for i in stride(from: 0, to: m, by: kernel.rows) {
                    for j in stride(from: 0, to: n, by: kernel.columns) {
                        kernel.run(kc, a + i * kc, kc, 1, b + j * kc, c + i * n + j, n, true)
                    }
                }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start))
        }
        return best
    }

    // MARK: 6 × 16

    /// 12 accumulators + 2 B vectors + 1 broadcast fill AVX2's 16 ymm registers without spills;
    /// measured at ≈ 100 % of the AVX2 FMA peak on Zen 5. Kept out of line (both kernels) so
    /// its register allocation does not depend on the caller.
    @inline(never)
    static func tile6x16(
        depth kc: Int,
        a: UnsafePointer<Float>, rowStride rs: Int, depthStride ds: Int,
        b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        typealias V = SIMD16<Float>
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        let r1 = rs, r2 = rs &* 2, r3 = rs &* 3, r4 = rs &* 4, r5 = rs &* 5
        var pa = a
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: V.self)
            c0 = c0.addingProduct(V(repeating: pa[0]), b0)
            c1 = c1.addingProduct(V(repeating: pa[r1]), b0)
            c2 = c2.addingProduct(V(repeating: pa[r2]), b0)
            c3 = c3.addingProduct(V(repeating: pa[r3]), b0)
            c4 = c4.addingProduct(V(repeating: pa[r4]), b0)
            c5 = c5.addingProduct(V(repeating: pa[r5]), b0)
            pa += ds
            pb += 64
        }
        let out = UnsafeMutableRawPointer(c)
        let row = ldc &* 4
        store(c0, out, accumulate)
        store(c1, out + row, accumulate)
        store(c2, out + row &* 2, accumulate)
        store(c3, out + row &* 3, accumulate)
        store(c4, out + row &* 4, accumulate)
        store(c5, out + row &* 5, accumulate)
    }

    // MARK: 8 × 32

    /// 16 accumulators of 16 floats: 16 zmm registers under AVX-512 (32 available), where it
    /// runs at ≈ 2× the 6 × 16 tile; under AVX2 it spills and runs ~30 % slower than 6 × 16.
    @inline(never)
    static func tile8x32(
        depth kc: Int,
        a: UnsafePointer<Float>, rowStride rs: Int, depthStride ds: Int,
        b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        let r1 = rs, r2 = rs &* 2, r3 = rs &* 3, r4 = rs &* 4, r5 = rs &* 5, r6 = rs &* 6, r7 = rs &* 7
        var pa = a
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: V.self)
            let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
            var x = V(repeating: pa[0])
            c00 = c00.addingProduct(x, b0); c01 = c01.addingProduct(x, b1)
            x = V(repeating: pa[r1])
            c10 = c10.addingProduct(x, b0); c11 = c11.addingProduct(x, b1)
            x = V(repeating: pa[r2])
            c20 = c20.addingProduct(x, b0); c21 = c21.addingProduct(x, b1)
            x = V(repeating: pa[r3])
            c30 = c30.addingProduct(x, b0); c31 = c31.addingProduct(x, b1)
            x = V(repeating: pa[r4])
            c40 = c40.addingProduct(x, b0); c41 = c41.addingProduct(x, b1)
            x = V(repeating: pa[r5])
            c50 = c50.addingProduct(x, b0); c51 = c51.addingProduct(x, b1)
            x = V(repeating: pa[r6])
            c60 = c60.addingProduct(x, b0); c61 = c61.addingProduct(x, b1)
            x = V(repeating: pa[r7])
            c70 = c70.addingProduct(x, b0); c71 = c71.addingProduct(x, b1)
            pa += ds
            pb += 128
        }
        let out = UnsafeMutableRawPointer(c)
        let row = ldc &* 4
        store(c00, out, accumulate); store(c01, out + 64, accumulate)
        store(c10, out + row, accumulate); store(c11, out + (row &+ 64), accumulate)
        store(c20, out + row &* 2, accumulate); store(c21, out + (row &* 2 &+ 64), accumulate)
        store(c30, out + row &* 3, accumulate); store(c31, out + (row &* 3 &+ 64), accumulate)
        store(c40, out + row &* 4, accumulate); store(c41, out + (row &* 4 &+ 64), accumulate)
        store(c50, out + row &* 5, accumulate); store(c51, out + (row &* 5 &+ 64), accumulate)
        store(c60, out + row &* 6, accumulate); store(c61, out + (row &* 6 &+ 64), accumulate)
        store(c70, out + row &* 7, accumulate); store(c71, out + (row &* 7 &+ 64), accumulate)
    }

    @inline(__always)
    private static func store(_ v: SIMD16<Float>, _ p: UnsafeMutableRawPointer, _ accumulate: Bool) {
        p.storeBytes(of: accumulate ? v + p.loadUnaligned(as: SIMD16<Float>.self) : v, as: SIMD16<Float>.self)
    }
}
