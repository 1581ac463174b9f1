import Dispatch
import Foundation
import GroundCore
import XCTest

/// Tests of the public kernel API (`Gemm`, `VectorMath`, `KernelBenchmark`) against
/// straightforward `Double` references. Sizes are small so the suite is quick even in debug.
final class KernelTests: XCTestCase {
    // MARK: Helpers

    /// A stored operand with the given logical size and padded leading dimension.
    struct Matrix {
        var rows: Int, columns: Int, ld: Int
        var data: [Float]
        init(rows: Int, columns: Int, padding: Int, random: inout SplitMix64) {
            self.rows = rows
            self.columns = columns
            ld = columns + padding
            data = random.floats(max(rows * ld, 1))
        }
        subscript(i: Int, j: Int) -> Float { data[i * ld + j] }
    }

    static let sizes = [0, 1, 7, 8, 9, 31, 32, 33, 100]

    /// Runs one GEMM and checks it against a `Double` reference:
    /// `|C − ref| ≤ 1e-4 · (|C₀| + Σₚ |A||B|)` elementwise (the scale of the sum's terms), and
    /// that the padding columns of C are untouched.
    func checkGemm(_ form: Gemm.Form, m: Int, n: Int, k: Int, accumulate: Bool,
                   microKernel: Gemm.MicroKernel? = nil, random: inout SplitMix64,
                   file: StaticString = #filePath, line: UInt = #line) {
        let a = form == .tn ? Matrix(rows: k, columns: m, padding: 3, random: &random)
                            : Matrix(rows: m, columns: k, padding: 2, random: &random)
        let b = form == .nt ? Matrix(rows: n, columns: k, padding: 5, random: &random)
                            : Matrix(rows: k, columns: n, padding: 1, random: &random)
        let c0 = Matrix(rows: m, columns: n, padding: 4, random: &random)
        var c = c0.data
        a.data.withUnsafeBufferPointer { pa in
            b.data.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    Gemm.multiply(form, m: m, n: n, k: k, a: pa.baseAddress!, lda: a.ld,
                                  b: pb.baseAddress!, ldb: b.ld, c: pc.baseAddress!, ldc: c0.ld,
                                  accumulate: accumulate, microKernel: microKernel)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = accumulate ? Double(c0[i, j]) : 0
                var scale = abs(sum)
                for p in 0..<k {
                    let x = Double(form == .tn ? a[p, i] : a[i, p])
                    let y = Double(form == .nt ? b[j, p] : b[p, j])
                    sum += x * y
                    scale += abs(x * y)
                }
                worst = max(worst, abs(Double(c[i * c0.ld + j]) - sum) / max(scale, 1e-30))
            }
            for j in n..<c0.ld { XCTAssertEqual(c[i * c0.ld + j], c0.data[i * c0.ld + j], "padding written", file: file, line: line) }
        }
        XCTAssertLessThanOrEqual(worst, 1e-4, "\(form) m=\(m) n=\(n) k=\(k) accumulate=\(accumulate)", file: file, line: line)
    }

    // MARK: GEMM accuracy

    func testGemmEdgeSizesAllForms() {
        var random = SplitMix64(seed: 1)
        for form in Gemm.Form.allCases {
            for (im, m) in Self.sizes.enumerated() {
                for (jn, n) in Self.sizes.enumerated() {
                    // Every k for a few (m, n); otherwise cycle k so all combinations stay cheap.
                    let ks = (m == 9 || n == 33) ? Self.sizes : [Self.sizes[(im + 2 * jn) % Self.sizes.count]]
                    for k in ks {
                        checkGemm(form, m: m, n: n, k: k, accumulate: (im + jn + k) % 2 == 0, random: &random)
                    }
                }
            }
        }
    }

    func testGemmEveryMicroKernel() {
        var random = SplitMix64(seed: 2)
        for kernel in Gemm.MicroKernel.allCases {
            for form in Gemm.Form.allCases {
                for (m, n, k) in [(1, 1, 1), (7, 31, 9), (33, 100, 32), (100, 33, 100), (8, 32, 33)] {
                    for accumulate in [false, true] {
                        checkGemm(form, m: m, n: n, k: k, accumulate: accumulate, microKernel: kernel, random: &random)
                    }
                }
            }
        }
    }

    /// Shapes that cross the depth (256), column (512) and row (192) blocking.
    func testGemmMultipleBlocks() {
        var random = SplitMix64(seed: 3)
        for form in Gemm.Form.allCases {
            checkGemm(form, m: 13, n: 530, k: 300, accumulate: false, random: &random)
            checkGemm(form, m: 200, n: 20, k: 520, accumulate: true, random: &random)
        }
    }

    func testGemmZeroDepth() {
        var c: [Float] = [1, 2, 3, 4]
        let a: [Float] = [9], b: [Float] = [9]
        Gemm.nn(m: 2, n: 2, k: 0, a: a, lda: 0, b: b, ldb: 2, c: &c, ldc: 2, accumulate: true)
        XCTAssertEqual(c, [1, 2, 3, 4])
        Gemm.nt(m: 2, n: 2, k: 0, a: a, lda: 0, b: b, ldb: 0, c: &c, ldc: 2, accumulate: false)
        XCTAssertEqual(c, [0, 0, 0, 0])
    }

    // MARK: GEMM determinism

    /// Both micro-kernels, a row-split call sequence, and concurrent calls on two threads give
    /// bit-identical results: results cannot depend on kernel choice or thread count.
    func testGemmBitwiseDeterminism() {
        var random = SplitMix64(seed: 4)
        let m = 37, n = 45, k = 300
        let a = random.floats(m * k), b = random.floats(n * k)
        func product(rows: Range<Int>, kernel: Gemm.MicroKernel?) -> [Float] {
            var c = [Float](repeating: 0, count: rows.count * n)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        Gemm.multiply(.nt, m: rows.count, n: n, k: k, a: pa.baseAddress! + rows.lowerBound * k, lda: k,
                                      b: pb.baseAddress!, ldb: k, c: pc.baseAddress!, ldc: n,
                                      accumulate: false, microKernel: kernel)
                    }
                }
            }
            return c
        }
        let reference = product(rows: 0..<m, kernel: nil)
        for kernel in Gemm.MicroKernel.allCases {
            XCTAssertEqual(product(rows: 0..<m, kernel: kernel), reference, "\(kernel)")
        }
        XCTAssertEqual(product(rows: 0..<20, kernel: nil) + product(rows: 20..<m, kernel: nil), reference)
        let results = UnsafeMutableBufferPointer<[Float]>.allocate(capacity: 8)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { results[$0] = product(rows: 0..<m, kernel: nil) }
        for r in results { XCTAssertEqual(r, reference) }
    }

    // MARK: Vector math

    /// Applies a `VectorMath` function to `x` (count not a multiple of 16, so the tail path runs).
    func apply(_ x: [Float], _ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        var y = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { f(px.baseAddress!, $0.baseAddress!, x.count) } }
        return y
    }

    /// Largest `|y − ref| / max(|ref|, floor)` over finite references.
    func maxRelativeError(_ x: [Float], _ y: [Float], floor: Double = 0, _ reference: (Double) -> Double) -> Double {
        zip(x, y).reduce(0) { worst, pair in
            let r = reference(Double(pair.0))
            return max(worst, abs(Double(pair.1) - r) / max(abs(r), floor))
        }
    }

    /// A dense sweep of `range` plus random points in it.
    func sweep(_ range: ClosedRange<Float>, _ count: Int = 20_001, random: inout SplitMix64) -> [Float] {
        let step = (range.upperBound - range.lowerBound) / Float(count - 1)
        return (0..<count).map { range.lowerBound + Float($0) * step } + random.floats(999, range.lowerBound, range.upperBound)
    }

    func testExp() {
        var random = SplitMix64(seed: 5)
        let x = sweep(-87.3...88.7, random: &random) + sweep(-1...1, random: &random)
        let y = apply(x) { VectorMath.exp($0, into: $1, count: $2) }
        XCTAssertLessThanOrEqual(maxRelativeError(x, y, Foundation.exp), 1e-6)
        // Subnormal results: within one subnormal step plus 1e-6 relative.
        let xs = sweep(-103.9 ... -87.4, 2001, random: &random)
        let ys = apply(xs) { VectorMath.exp($0, into: $1, count: $2) }
        for (x, y) in zip(xs, ys) {
            let r = Foundation.exp(Double(x))
            XCTAssertLessThanOrEqual(abs(Double(y) - r), 1e-6 * r + Double(Float.leastNonzeroMagnitude), "exp(\(x))")
        }
        let special: [Float] = [-.infinity, -1e30, -1000, -104, 89, 1000, .infinity, .nan, 0, -0.0, 88.72]
        let ys2 = apply(special) { VectorMath.exp($0, into: $1, count: $2) }
        XCTAssertEqual(Array(ys2[0..<4]), [0, 0, 0, 0])
        XCTAssertEqual(Array(ys2[4..<7]), [.infinity, .infinity, .infinity])
        XCTAssertTrue(ys2[7].isNaN)
        XCTAssertEqual(ys2[8], 1)
        XCTAssertEqual(ys2[9], 1)
        let top = Foundation.exp(Double(Float(88.72)))
        XCTAssertEqual(Double(ys2[10]), top, accuracy: 1e-6 * top)
    }

    func testLog() {
        var random = SplitMix64(seed: 6)
        // Every binade from subnormals to the largest floats, plus a dense sweep around 1.
        var x = (0..<20_000).map { _ in Float(sign: .plus, exponent: Int(random.next() % 276) - 149, significand: random.float(1, 2)) }
        x += sweep(0.5...2, random: &random)
        let y = apply(x) { VectorMath.log($0, into: $1, count: $2) }
        XCTAssertLessThanOrEqual(maxRelativeError(x, y, floor: 1e-30, Foundation.log), 1e-6)
        let special: [Float] = [0, -0.0, -1, -.infinity, .infinity, .nan, 1, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let ys = apply(special) { VectorMath.log($0, into: $1, count: $2) }
        XCTAssertEqual(ys[0], -.infinity)
        XCTAssertEqual(ys[1], -.infinity)
        XCTAssertTrue(ys[2].isNaN)
        XCTAssertTrue(ys[3].isNaN)
        XCTAssertEqual(ys[4], .infinity)
        XCTAssertTrue(ys[5].isNaN)
        XCTAssertEqual(ys[6], 0)
        XCTAssertEqual(Double(ys[7]), Foundation.log(Double(Float.leastNonzeroMagnitude)), accuracy: 1e-4)
        XCTAssertEqual(Double(ys[8]), Foundation.log(Double(Float.greatestFiniteMagnitude)), accuracy: 1e-4)
    }

    func testTanh() {
        var random = SplitMix64(seed: 7)
        let x = sweep(-20...20, random: &random) + sweep(-1...1, random: &random) + [1e-30, -1e-20, 1e-5, 0.625, -0.625]
        let y = apply(x) { VectorMath.tanh($0, into: $1, count: $2) }
        XCTAssertLessThanOrEqual(maxRelativeError(x, y, Foundation.tanh), 1e-6)
        let ys = apply([.infinity, -.infinity, 1e30, -50, .nan, 0]) { VectorMath.tanh($0, into: $1, count: $2) }
        XCTAssertEqual(Array(ys[0..<4]), [1, -1, 1, -1])
        XCTAssertTrue(ys[4].isNaN)
        XCTAssertEqual(ys[5], 0)
    }

    /// `gelu(x) = ½x(1 + tanh u)`, `u = √(2/π)(x + 0.044715x³)`, and its derivative, in `Double`,
    /// written with `½(1 + tanh u) = σ(2u)` and `1 − σ(2u) = σ(−2u)` so that the reference
    /// itself does not cancel in the negative tail.
    static func geluReference(_ x: Double) -> (value: Double, derivative: Double) {
        let c = (2 / Double.pi).squareRoot()
        let u = c * (x + 0.044715 * x * x * x)
        let s = 1 / (1 + Foundation.exp(-2 * u)), sMinus = 1 / (1 + Foundation.exp(2 * u))
        return (x * s, s + x * s * sMinus * 2 * c * (1 + 3 * 0.044715 * x * x))
    }

    func testGELU() {
        var random = SplitMix64(seed: 8)
        let x = sweep(-10...10, random: &random)
        let y = apply(x) { VectorMath.gelu($0, into: $1, count: $2) }
        // Relative error ≤ 2e-7·(1 + |2u|): the Float rounding of u is amplified by e^{2u} in the
        // negative tail (gelu(−9) ≈ −7e-29 is off by 1e-5 relative); ≤ 1e-6 for x ≥ −3.
        for (x, y) in zip(x, y) {
            let xd = Double(x), r = Self.geluReference(xd).value
            let u2 = abs(2 * (2 / Double.pi).squareRoot() * (xd + 0.044715 * xd * xd * xd))
            let error = abs(Double(y) - r) / max(abs(r), 1e-30)
            XCTAssertLessThanOrEqual(error, 2e-7 * (1 + u2), "gelu(\(x))")
            if x >= -3 { XCTAssertLessThanOrEqual(error, 1e-6, "gelu(\(x))") }
        }
        let dy = random.floats(x.count)
        var dx = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { px in
            dy.withUnsafeBufferPointer { pdy in
                dx.withUnsafeMutableBufferPointer {
                    VectorMath.geluBackward(px.baseAddress!, outputGradient: pdy.baseAddress!, into: $0.baseAddress!, count: x.count)
                }
            }
        }
        // gelu′ crosses zero near x = −0.75: relative error against |dy|·max(|gelu′|, 0.1).
        var worst = 0.0
        for i in x.indices {
            let d = Self.geluReference(Double(x[i])).derivative
            worst = max(worst, abs(Double(dx[i]) - Double(dy[i]) * d) / (abs(Double(dy[i])) * max(abs(d), 0.1) + 1e-30))
        }
        XCTAssertLessThanOrEqual(worst, 1e-6)
        let special: [Float] = [-.infinity, -1e30, -100, 100, 1e30, .infinity, .nan]
        let ys = apply(special) { VectorMath.gelu($0, into: $1, count: $2) }
        XCTAssertEqual(Array(ys[0..<6]), [0, 0, 0, 100, 1e30, .infinity])
        XCTAssertTrue(ys[6].isNaN)
        let ones = [Float](repeating: 1, count: special.count)
        var ds = [Float](repeating: 0, count: special.count)
        special.withUnsafeBufferPointer { px in
            ones.withUnsafeBufferPointer { po in
                ds.withUnsafeMutableBufferPointer {
                    VectorMath.geluBackward(px.baseAddress!, outputGradient: po.baseAddress!, into: $0.baseAddress!, count: special.count)
                }
            }
        }
        for d in ds[0..<3] { XCTAssertEqual(d, 0, accuracy: 1e-35) }
        XCTAssertEqual(Array(ds[3..<6]), [1, 1, 1])
        XCTAssertTrue(ds[6].isNaN)
    }

    // MARK: Softmax

    func testSoftmaxRows() {
        var random = SplitMix64(seed: 9)
        let rows = 5, columns = 37, ld = 40
        var x = random.floats(rows * ld, -30, 30)
        x[ld + 3] = 1000  // large logits must not overflow
        var mask = [Float](repeating: 0, count: rows * columns)
        for j in 0..<columns where j % 3 == 1 { mask[2 * columns + j] = -.infinity }
        for j in 0..<columns { mask[3 * columns + j] = -.infinity }  // fully masked row
        mask[4 * columns + 5] = -2.5
        var y = [Float](repeating: .nan, count: rows * ld)
        x.withUnsafeBufferPointer { px in
            mask.withUnsafeBufferPointer { pm in
                y.withUnsafeMutableBufferPointer {
                    VectorMath.softmaxRows(px.baseAddress!, ldx: ld, into: $0.baseAddress!, ldy: ld,
                                           rows: rows, columns: columns, mask: pm.baseAddress!, maskStride: columns)
                }
            }
        }
        for r in 0..<rows {
            let z = (0..<columns).map { Double(x[r * ld + $0]) + Double(mask[r * columns + $0]) }
            let top = z.max()!
            if top == -.infinity {
                XCTAssertEqual(Array(y[r * ld ..< r * ld + columns]), [Float](repeating: 0, count: columns))
                continue
            }
            let e = z.map { Foundation.exp($0 - top) }
            let total = e.reduce(0, +)
            for j in 0..<columns {
                XCTAssertEqual(Double(y[r * ld + j]), e[j] / total, accuracy: 1e-6 * e[j] / total + 1e-12, "row \(r) col \(j)")
            }
        }
        // In place, shared mask row (stride 0), no mask.
        var z = x
        let oneMask = [Float](repeating: 0, count: columns)
        z.withUnsafeMutableBufferPointer { p in
            oneMask.withUnsafeBufferPointer { pm in
                VectorMath.softmaxRows(p.baseAddress!, ldx: ld, into: p.baseAddress!, ldy: ld, rows: rows, columns: columns,
                                       mask: pm.baseAddress!, maskStride: 0)
            }
        }
        var w = [Float](repeating: 0, count: rows * ld)
        x.withUnsafeBufferPointer { px in
            w.withUnsafeMutableBufferPointer {
                VectorMath.softmaxRows(px.baseAddress!, ldx: ld, into: $0.baseAddress!, ldy: ld, rows: rows, columns: columns)
            }
        }
        for r in 0..<rows { XCTAssertEqual(Array(z[r * ld ..< r * ld + columns]), Array(w[r * ld ..< r * ld + columns])) }
    }

    func testSoftmaxRowsBackward() {
        var random = SplitMix64(seed: 10)
        let rows = 3, columns = 21
        let x = random.floats(rows * columns, -3, 3), dy = random.floats(rows * columns)
        var y = [Float](repeating: 0, count: x.count), dx = y
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer {
                VectorMath.softmaxRows(px.baseAddress!, ldx: columns, into: $0.baseAddress!, ldy: columns, rows: rows, columns: columns)
            }
        }
        y.withUnsafeBufferPointer { py in
            dy.withUnsafeBufferPointer { pdy in
                dx.withUnsafeMutableBufferPointer {
                    VectorMath.softmaxRowsBackward(output: py.baseAddress!, ldy: columns, outputGradient: pdy.baseAddress!, lddy: columns,
                                                   into: $0.baseAddress!, lddx: columns, rows: rows, columns: columns)
                }
            }
        }
        for r in 0..<rows {
            let row = r * columns ..< (r + 1) * columns
            let dot = row.reduce(0.0) { $0 + Double(y[$1]) * Double(dy[$1]) }
            for i in row {
                XCTAssertEqual(Double(dx[i]), Double(y[i]) * (Double(dy[i]) - dot), accuracy: 1e-6)
            }
        }
    }

    // MARK: Level 1

    func testDotSumAxpy() {
        var random = SplitMix64(seed: 11)
        for count in [0, 1, 15, 16, 17, 63, 64, 65, 1000] {
            let x = random.floats(count), y0 = random.floats(count)
            let dotRef = zip(x, y0).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let scale = zip(x, y0).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
            XCTAssertEqual(Double(VectorMath.dot(x, y0, count: count)), dotRef, accuracy: 1e-6 * scale + 1e-30)
            let sumRef = x.reduce(0.0) { $0 + Double($1) }
            XCTAssertEqual(Double(VectorMath.sum(x, count: count)), sumRef, accuracy: 1e-6 * Double(count) + 1e-30)
            var y = y0
            VectorMath.axpy(0.75, x, &y, count: count)
            for i in 0..<count { XCTAssertEqual(y[i], y0[i] + 0.75 * x[i], accuracy: 1e-6) }
        }
    }

    // MARK: Benchmark API

    func testBenchmarkAPI() {
        let shapes = [KernelBenchmark.Shape(.nn, m: 8, n: 16, k: 8, label: "tiny"),
                      KernelBenchmark.Shape(.nt, m: 9, n: 7, k: 5, label: "edge")]
        let results = KernelBenchmark.run(shapes, minimumSeconds: 0.001)
        XCTAssertEqual(results.map(\.shape), shapes)
        XCTAssertTrue(results.allSatisfy { $0.gflops > 0 && $0.seconds > 0 })
        XCTAssertEqual(KernelBenchmark.modelShapes(frames: [250]).count, 12)
        XCTAssertTrue(KernelBenchmark.vectorMath(count: 512, minimumSeconds: 0.001).allSatisfy { $0.nanosecondsPerElement > 0 })
        XCTAssertGreaterThan(KernelBenchmark.fmaPeakGFLOPS(minimumSeconds: 0.001), 0)
    }
}
