import Dispatch

// MARK: - Kernel benchmarks

/// Single-threaded throughput measurements of the GEMM and vector-math kernels, returned as
/// data for a CLI (`ground bench`) to print. Each timing is the best of three trials of
/// repeated calls on pseudo-random operands.
public enum KernelBenchmark {
    /// One GEMM problem to time.
    public struct Shape: Sendable, Hashable {
        public var form: Gemm.Form
        public var m: Int
        public var n: Int
        public var k: Int
        /// What the product is in the model, e.g. `"FFN up"`.
        public var label: String

        public init(_ form: Gemm.Form, m: Int, n: Int, k: Int, label: String) {
            self.form = form
            self.m = m
            self.n = n
            self.k = k
            self.label = label
        }

        /// `2·m·n·k`
        public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    /// The timing of one ``Shape``.
    public struct Result: Sendable, Hashable {
        public var shape: Shape
        public var microKernel: Gemm.MicroKernel
        /// Best observed wall time of one call.
        public var seconds: Double
        public var gflops: Double
        /// Form, m × n × k and label, e.g. `"nn 250×768×192 FFN up"`.
        public var name: String { "\(shape.form.rawValue) \(shape.m)×\(shape.n)×\(shape.k) \(shape.label)" }
    }

    /// The timing of one element-wise function.
    public struct VectorResult: Sendable, Hashable {
        public var name: String
        public var count: Int
        public var nanosecondsPerElement: Double
    }

    // MARK: Shapes

    /// The matrix products of one transformer layer on a `frames × model` activation:
    /// projections and FFN forward (`nn`), their weight gradients (`tn`), their input
    /// gradients (`nt`), and per-head attention products.
    public static func modelShapes(
        frames: [Int] = [250, 750, 1500], model d: Int = 192, ffn f: Int = 768, headDim h: Int = 48
    ) -> [Shape] {
        frames.flatMap { t in [
            Shape(.nn, m: t, n: d, k: d, label: "projection"),
            Shape(.nn, m: t, n: f, k: d, label: "FFN up"),
            Shape(.nn, m: t, n: d, k: f, label: "FFN down"),
            Shape(.nn, m: t, n: h, k: t, label: "attention P·V"),
            Shape(.tn, m: d, n: d, k: t, label: "dW projection"),
            Shape(.tn, m: d, n: f, k: t, label: "dW FFN up"),
            Shape(.tn, m: f, n: d, k: t, label: "dW FFN down"),
            Shape(.tn, m: t, n: h, k: t, label: "attention dV = Pᵀ·dO"),
            Shape(.nt, m: t, n: d, k: d, label: "dX projection"),
            Shape(.nt, m: t, n: d, k: f, label: "dX FFN up"),
            Shape(.nt, m: t, n: f, k: d, label: "dX FFN down"),
            Shape(.nt, m: t, n: t, k: h, label: "attention Q·Kᵀ"),
        ] }
    }

    // MARK: GEMM

    /// Times each shape with `microKernel` (default: ``Gemm/selectedMicroKernel``), repeating
    /// calls for at least `minimumSeconds` per trial.
    public static func run(
        _ shapes: [Shape] = modelShapes(), microKernel: Gemm.MicroKernel? = nil, minimumSeconds: Double = 0.05
    ) -> [Result] {
        let kernel = microKernel ?? Gemm.selectedMicroKernel
        return shapes.map { shape in
            let (m, n, k) = (shape.m, shape.n, shape.k)
            let lda = shape.form == .tn ? m : k
            let ldb = shape.form == .nt ? k : n
            let a = randomBuffer(m * k, seed: 1), b = randomBuffer(k * n, seed: 2), c = randomBuffer(m * n, seed: 3)
            defer { a.deallocate(); b.deallocate(); c.deallocate() }
            let seconds = bestSeconds(minimumSeconds) {
                Gemm.multiply(shape.form, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                              c: c, ldc: n, accumulate: false, microKernel: kernel)
            }
            return Result(shape: shape, microKernel: kernel, seconds: seconds, gflops: shape.flops / seconds / 1e9)
        }
    }

    // MARK: Vector math

    /// Times `exp`, `log`, `tanh`, GELU forward/backward and row softmax on `count` elements
    /// (softmax as rows of 256).
    public static func vectorMath(count: Int = 1 << 14, minimumSeconds: Double = 0.05) -> [VectorResult] {
        let x = randomBuffer(count, seed: 4), y = randomBuffer(count, seed: 5), z = randomBuffer(count, seed: 6)
        defer { x.deallocate(); y.deallocate(); z.deallocate() }
        let columns = 256, rows = count / columns
        let cases: [(String, () -> Void)] = [
            ("exp", { VectorMath.exp(x, into: y, count: count) }),
            ("log", { VectorMath.log(x, into: y, count: count) }),
            ("tanh", { VectorMath.tanh(x, into: y, count: count) }),
            ("gelu", { VectorMath.gelu(x, into: y, count: count) }),
            ("geluBackward", { VectorMath.geluBackward(x, outputGradient: y, into: z, count: count) }),
            ("softmaxRows", {
                VectorMath.softmaxRows(x, ldx: columns, into: y, ldy: columns, rows: rows, columns: columns)
            }),
        ]
        return cases.map { name, body in
            let seconds = bestSeconds(minimumSeconds, body)
            return VectorResult(name: name, count: count, nanosecondsPerElement: seconds / Double(count) * 1e9)
        }
    }

    // MARK: FMA peak

    /// Single-core FMA throughput of this build in GFLOP/s: independent chains of
    /// `SIMD8<Float>` and `SIMD16<Float>` FMAs (enough to cover latency), best of the two
    /// (SIMD16 wins when compiled for AVX-512).
    public static func fmaPeakGFLOPS(minimumSeconds: Double = 0.1) -> Double {
        let iterations = 1_000  // ≈ 25 µs per call in release; bestSeconds repeats it.
        // Each iteration of each loop does 12 chains × 8 unrolled FMAs.
        let flops8 = Double(iterations * 12 * 8 * 8 * 2), flops16 = flops8 * 2
        var sink: Float = 0
        let t8 = bestSeconds(minimumSeconds) { sink += fmaChains(iterations, SIMD8<Float>(repeating: 1e-7)).sum() }
        let t16 = bestSeconds(minimumSeconds) { sink += fmaChains(iterations, SIMD16<Float>(repeating: 1e-7)).sum() }
        precondition(sink.isFinite)
        return max(flops8 / t8, flops16 / t16) / 1e9
    }

    @inline(never)
    static func fmaChains<V: SIMD>(_ iterations: Int, _ x: V) -> V where V.Scalar == Float {
        let y = V(repeating: 0.999_999)
        var a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x
        for _ in 0..<iterations {
            for _ in 0..<8 {
                a0 = a0.addingProduct(x, y); a1 = a1.addingProduct(x, y); a2 = a2.addingProduct(x, y)
                a3 = a3.addingProduct(x, y); a4 = a4.addingProduct(x, y); a5 = a5.addingProduct(x, y)
                a6 = a6.addingProduct(x, y); a7 = a7.addingProduct(x, y); a8 = a8.addingProduct(x, y)
                a9 = a9.addingProduct(x, y); a10 = a10.addingProduct(x, y); a11 = a11.addingProduct(x, y)
            }
        }
        return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
    }

    // MARK: Helpers

    /// Best of three trials of the mean time per call, each trial running `body` for at least
    /// `minimumSeconds` (after one warm-up call).
    static func bestSeconds(_ minimumSeconds: Double, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<3 {
            var calls = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                body()
                calls += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            } while elapsed < minimumSeconds
            best = min(best, elapsed / Double(calls))
        }
        return best
    }

    /// Values in [−1, 1) from a 64-bit LCG: reproducible operands without Foundation.
    static func randomBuffer(_ count: Int, seed: UInt64) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        for i in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            p[i] = Float(Int32(truncatingIfNeeded: state >> 32)) * 0x1p-31
        }
        return p
    }
}
