import Foundation
import GroundCore
import XCTest

/// Every layer's backward against central finite differences of its forward (see GradientCheck),
/// and the forwards against direct formulas. Tolerances are per op and stated where used; the
/// measured errors are printed. Odd sizes exercise the SIMD loops' scalar tails.
final class LayerGradientTests: XCTestCase {
    // MARK: Linear

    /// Bilinear, so the extrapolated difference is exact but for Float noise in ℒ: per element
    /// 1e-3 relative + 1e-4 absolute, along a direction 1e-4.
    static let linearTolerance = GradientCheck.Tolerance(relative: 1e-3, absolute: 1e-4, directional: 1e-4)

    func testLinearGradients() {
        let (rows, inFeatures, outFeatures) = (7, 13, 11)
        for withBias in [true, false] {
            var generator = SplitMix64(seed: 1)
            let x = TestBuffer(random: rows * inFeatures, &generator)
            let w = TestBuffer(random: inFeatures * outFeatures, &generator)
            let b = TestBuffer(random: outFeatures, &generator)
            let inputs = withBias ? [("x", x), ("W", w), ("b", b)] : [("x", x), ("W", w)]
            GradientCheck(
                name: "Linear(bias: \(withBias))", inputs: inputs, outputCount: rows * outFeatures, tolerance: Self.linearTolerance
            ).run(
                    forward: { y in
                        Linear.forward(
                            x: x.pointer, weight: w.pointer, bias: withBias ? b.pointer : nil, y: y,
                            rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
                    },
                    backward: { dy, g in
                        Linear.backward(
                            dy: dy, x: x.pointer, weight: w.pointer, dx: g[0], dWeight: g[1], dBias: withBias ? g[2] : nil,
                            rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
                    })
        }
    }

    func testLinearForwardMatchesDirectSum() {
        var generator = SplitMix64(seed: 2)
        let (rows, inFeatures, outFeatures) = (5, 9, 10)
        let x = TestBuffer(random: rows * inFeatures, &generator), w = TestBuffer(random: inFeatures * outFeatures, &generator)
        let b = TestBuffer(random: outFeatures, &generator), y = TestBuffer(count: rows * outFeatures)
        Linear.forward(
            x: x.pointer, weight: w.pointer, bias: b.pointer, y: y.pointer, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
        for t in 0..<rows {
            for o in 0..<outFeatures {
                var expected = Double(b.pointer[o])
                for i in 0..<inFeatures { expected += Double(x.pointer[t * inFeatures + i]) * Double(w.pointer[i * outFeatures + o]) }
                XCTAssertEqual(Double(y.pointer[t * outFeatures + o]), expected, accuracy: 1e-5)
            }
        }
    }

    // MARK: LayerNorm

    /// Smooth (1/σ is tame for unit-variance rows): 1e-3 relative + 1e-4 absolute per element,
    /// 1e-4 along a direction.
    static let layerNormTolerance = GradientCheck.Tolerance(relative: 1e-3, absolute: 1e-4, directional: 1e-4)

    func testLayerNormGradients() {
        let (rows, features) = (6, 37)
        var generator = SplitMix64(seed: 3)
        let x = TestBuffer(random: rows * features, &generator, in: 1...4)  // nonzero mean
        let gamma = TestBuffer(random: features, &generator, in: 0.5...1.5)
        let beta = TestBuffer(random: features, &generator)
        let mean = TestBuffer(count: rows), rstd = TestBuffer(count: rows)
        GradientCheck(
            name: "LayerNorm", inputs: [("x", x), ("gamma", gamma), ("beta", beta)], outputCount: rows * features,
            tolerance: Self.layerNormTolerance
        ).run(
            forward: { y in
                LayerNorm.forward(
                    x: x.pointer, gamma: gamma.pointer, beta: beta.pointer, y: y, mean: mean.pointer, rstd: rstd.pointer,
                    rows: rows, features: features)
            },
            backward: { dy, g in
                LayerNorm.backward(
                    dy: dy, x: x.pointer, gamma: gamma.pointer, mean: mean.pointer, rstd: rstd.pointer,
                    dx: g[0], dGamma: g[1], dBeta: g[2], rows: rows, features: features)
            })
    }

    func testLayerNormForwardNormalizesRows() {
        let (rows, features) = (3, 21)
        var generator = SplitMix64(seed: 4)
        let x = TestBuffer(random: rows * features, &generator, in: -2...6)
        let gamma = TestBuffer(random: features, &generator), beta = TestBuffer(random: features, &generator)
        let y = TestBuffer(count: rows * features), mean = TestBuffer(count: rows), rstd = TestBuffer(count: rows)
        LayerNorm.forward(
            x: x.pointer, gamma: gamma.pointer, beta: beta.pointer, y: y.pointer, mean: mean.pointer, rstd: rstd.pointer,
            rows: rows, features: features)
        for t in 0..<rows {
            let row = (0..<features).map { Double(x.pointer[t * features + $0]) }
            let mu = row.reduce(0, +) / Double(features)
            let variance = row.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(features)
            XCTAssertEqual(Double(mean.pointer[t]), mu, accuracy: 1e-5)
            XCTAssertEqual(Double(rstd.pointer[t]), 1 / (variance + 1e-5).squareRoot(), accuracy: 1e-5)
            for i in 0..<features {
                let expected = (row[i] - mu) / (variance + 1e-5).squareRoot() * Double(gamma.pointer[i]) + Double(beta.pointer[i])
                XCTAssertEqual(Double(y.pointer[t * features + i]), expected, accuracy: 1e-5)
            }
        }
    }

    // MARK: GELU

    /// Smooth over x ∈ [−4, 4], every element checked: 1e-3 relative + 1e-4 absolute, 1e-4 along
    /// a direction.
    static let geluTolerance = GradientCheck.Tolerance(relative: 1e-3, absolute: 1e-4, directional: 1e-4)

    func testGELUGradients() {
        var generator = SplitMix64(seed: 5)
        let count = 203
        let x = TestBuffer(random: count, &generator, in: -4...4)
        GradientCheck(name: "GELU", inputs: [("x", x)], outputCount: count, tolerance: Self.geluTolerance, elementsPerInput: count)
            .run(
                forward: { y in GELU.forward(x: x.pointer, y: y, count: count) },
                backward: { dy, g in GELU.backward(dy: dy, x: x.pointer, dx: g[0], count: count) })
    }

    func testGELUForwardMatchesTanhFormula() {
        let inputs: [Float] = (-120...120).map { Float($0) / 10 } + [-100, -30, 30, 100]
        let x = TestBuffer(inputs), y = TestBuffer(count: inputs.count)
        GELU.forward(x: x.pointer, y: y.pointer, count: inputs.count)
        for (i, value) in inputs.enumerated() {
            let v = Double(value)
            let expected = 0.5 * v * (1 + tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
            XCTAssertEqual(Double(y.pointer[i]), expected, accuracy: 1e-6 * max(1, abs(expected)), "GELU(\(v))")
        }
    }

    // MARK: RotaryEmbedding

    /// Linear in x: 1e-3 relative + 1e-4 absolute per element, 1e-4 along a direction.
    static let ropeTolerance = GradientCheck.Tolerance(relative: 1e-3, absolute: 1e-4, directional: 1e-4)

    func testRotaryEmbeddingGradients() {
        let (rows, heads, headDim, offset) = (9, 3, 20, 1_000)
        var generator = SplitMix64(seed: 6)
        let x = TestBuffer(random: rows * heads * headDim, &generator)
        let cos = TestBuffer(count: rows * headDim / 2), sin = TestBuffer(count: rows * headDim / 2)
        RotaryEmbedding.fillTables(cos: cos.pointer, sin: sin.pointer, rows: rows, headDim: headDim, positionOffset: offset)
        GradientCheck(name: "RotaryEmbedding", inputs: [("x", x)], outputCount: x.count, tolerance: Self.ropeTolerance)
            .run(
                forward: { y in
                    RotaryEmbedding.forward(
                        x: x.pointer, y: y, cos: cos.pointer, sin: sin.pointer, rows: rows, heads: heads, headDim: headDim)
                },
                backward: { dy, g in
                    RotaryEmbedding.backward(
                        dy: dy, dx: g[0], cos: cos.pointer, sin: sin.pointer, rows: rows, heads: heads, headDim: headDim)
                })
    }

    /// Forward against the formula at large positions, in place, and the property RoPE exists
    /// for: a rotated query·key product depends only on the position difference.
    func testRotaryEmbeddingForward() {
        let (rows, heads, headDim, offset) = (5, 2, 18, 89_990)
        let half = headDim / 2, width = heads * headDim
        var generator = SplitMix64(seed: 7)
        let x = TestBuffer(random: rows * width, &generator), y = TestBuffer(x.values)
        let cos = TestBuffer(count: rows * half), sin = TestBuffer(count: rows * half)
        RotaryEmbedding.fillTables(cos: cos.pointer, sin: sin.pointer, rows: rows, headDim: headDim, positionOffset: offset)
        RotaryEmbedding.forward(x: y.pointer, y: y.pointer, cos: cos.pointer, sin: sin.pointer, rows: rows, heads: heads, headDim: headDim)
        for t in 0..<rows {
            for h in 0..<heads {
                for i in 0..<half {
                    let angle = Double(offset + t) * pow(10_000, -2 * Double(i) / Double(headDim))
                    let first = t * width + h * headDim + i, second = first + half
                    let (a, b) = (Double(x.pointer[first]), Double(x.pointer[second]))
                    XCTAssertEqual(Double(y.pointer[first]), a * Foundation.cos(angle) - b * Foundation.sin(angle), accuracy: 1e-6)
                    XCTAssertEqual(Double(y.pointer[second]), a * Foundation.sin(angle) + b * Foundation.cos(angle), accuracy: 1e-6)
                }
            }
        }

        // The same query and key rotated at positions (p, p + 3) for p = 0 and p = 50,000.
        let query = TestBuffer(random: headDim, &generator), key = TestBuffer(random: headDim, &generator)
        func rotatedProduct(queryPosition: Int, keyPosition: Int) -> Double {
            let rq = TestBuffer(count: headDim), rk = TestBuffer(count: headDim)
            for (source, target, position) in [(query, rq, queryPosition), (key, rk, keyPosition)] {
                let c = TestBuffer(count: half), s = TestBuffer(count: half)
                RotaryEmbedding.fillTables(cos: c.pointer, sin: s.pointer, rows: 1, headDim: headDim, positionOffset: position)
                RotaryEmbedding.forward(
                    x: source.pointer, y: target.pointer, cos: c.pointer, sin: s.pointer, rows: 1, heads: 1, headDim: headDim)
            }
            return (0..<headDim).reduce(0.0) { $0 + Double(rq.pointer[$1]) * Double(rk.pointer[$1]) }
        }
        XCTAssertEqual(
            rotatedProduct(queryPosition: 0, keyPosition: 3), rotatedProduct(queryPosition: 50_000, keyPosition: 50_003), accuracy: 1e-5)
    }

    // MARK: Attention

    /// One key element moves every query's output, so Float noise in ℒ is largest here: a longer
    /// step (ε = 3e-2, harmless after extrapolation), 1e-2 relative + 1e-4 absolute per element,
    /// 2e-4 along a direction.
    static let attentionTolerance = GradientCheck.Tolerance(relative: 1e-2, absolute: 1e-4, directional: 2e-4)

    struct AttentionCase {
        var name: String
        var shape: Attention.Shape
        var maskedKeys: [Int] = []
    }

    /// Full and windowed; Tq ≠ Tk; more queries than a block; masked keys, including a run longer
    /// than the band (queries with every key masked) and queries whose band lies past the last key.
    static let attentionCases: [AttentionCase] = [
        AttentionCase(
            name: "full, Tq ≠ Tk, masked", shape: .init(queries: 37, keys: 23, heads: 2, headDim: 8), maskedKeys: [0, 5, 6, 17, 22]),
        AttentionCase(name: "full, several blocks", shape: .init(queries: 150, keys: 150, heads: 2, headDim: 8)),
        AttentionCase(
            name: "window 5, several blocks, masked", shape: .init(queries: 150, keys: 150, heads: 2, headDim: 8, window: 5),
            maskedKeys: [0, 1, 33] + Array(60..<75) + [149]),
        AttentionCase(name: "window 40, several blocks", shape: .init(queries: 150, keys: 150, heads: 3, headDim: 8, window: 40)),
        AttentionCase(
            name: "window 7, Tq ≠ Tk, masked", shape: .init(queries: 100, keys: 70, heads: 2, headDim: 4, window: 7),
            maskedKeys: [3, 40]),
    ]

    func testAttentionGradients() {
        for testCase in Self.attentionCases {
            let shape = testCase.shape
            var generator = SplitMix64(seed: 8)
            let q = TestBuffer(random: shape.queries * shape.width, &generator, in: -2...2)
            let k = TestBuffer(random: shape.keys * shape.width, &generator, in: -2...2)
            let v = TestBuffer(random: shape.keys * shape.width, &generator)
            let mask = Self.keyMask(keys: shape.keys, masked: testCase.maskedKeys)
            let probabilities = TestBuffer(count: shape.probabilityCount)
            GradientCheck(
                name: "Attention(\(testCase.name))", inputs: [("q", q), ("k", k), ("v", v)], outputCount: shape.queries * shape.width,
                tolerance: Self.attentionTolerance, epsilon: 3e-2
            ).run(
                forward: { y in
                    Attention.forward(
                        q: q.pointer, k: k.pointer, v: v.pointer, keyMask: mask?.pointer, output: y,
                        probabilities: probabilities.pointer, shape: shape)
                },
                backward: { dy, g in
                    Attention.backward(
                        dOutput: dy, q: q.pointer, k: k.pointer, v: v.pointer, probabilities: probabilities.pointer,
                        dq: g[0], dk: g[1], dv: g[2], shape: shape)
                })
        }
    }

    /// Blockwise, banded attention equals a direct evaluation with an explicit |i − j| ≤ R mask, in
    /// its output and in its saved probabilities, and queries without keys give exact zeros.
    func testAttentionForwardMatchesNaive() {
        let extraCases = [
            AttentionCase(name: "window 0", shape: .init(queries: 70, keys: 70, heads: 1, headDim: 5, window: 0)),
            AttentionCase(name: "window wider than the sequence", shape: .init(queries: 30, keys: 30, heads: 2, headDim: 8, window: 100)),
            AttentionCase(name: "all keys masked", shape: .init(queries: 9, keys: 6, heads: 2, headDim: 4), maskedKeys: Array(0..<6)),
        ]
        for testCase in Self.attentionCases + extraCases {
            let shape = testCase.shape
            var generator = SplitMix64(seed: 9)
            let q = TestBuffer(random: shape.queries * shape.width, &generator, in: -2...2)
            let k = TestBuffer(random: shape.keys * shape.width, &generator, in: -2...2)
            let v = TestBuffer(random: shape.keys * shape.width, &generator)
            let mask = Self.keyMask(keys: shape.keys, masked: testCase.maskedKeys)
            let output = TestBuffer(count: shape.queries * shape.width, value: .nan)
            let probabilities = TestBuffer(count: shape.probabilityCount, value: .nan)
            Attention.forward(
                q: q.pointer, k: k.pointer, v: v.pointer, keyMask: mask?.pointer, output: output.pointer,
                probabilities: probabilities.pointer, shape: shape)
            let (expectedOutput, expectedProbabilities) = Self.naiveAttention(
                q: q, k: k, v: v, maskedKeys: Set(testCase.maskedKeys), shape: shape)
            for i in 0..<output.count {
                XCTAssertEqual(Double(output.pointer[i]), expectedOutput[i], accuracy: 1e-5, "\(testCase.name): output[\(i)]")
            }
            for i in 0..<probabilities.count {
                XCTAssertEqual(Double(probabilities.pointer[i]), expectedProbabilities[i], accuracy: 1e-5, "\(testCase.name): P[\(i)]")
            }

            // Without saving probabilities (inference) the output is the same.
            let unsaved = TestBuffer(count: output.count, value: .nan)
            Attention.forward(
                q: q.pointer, k: k.pointer, v: v.pointer, keyMask: mask?.pointer, output: unsaved.pointer, probabilities: nil, shape: shape)
            XCTAssertEqual(unsaved.values, output.values, testCase.name)
        }
    }

    static func keyMask(keys: Int, masked: [Int]) -> TestBuffer? {
        guard !masked.isEmpty else { return nil }
        let mask = TestBuffer(count: keys)
        for j in masked { mask.pointer[j] = -.infinity }
        return mask
    }

    /// Direct evaluation in Double: output (Tq, H·dh) and probabilities in the saved layout.
    static func naiveAttention(
        q: TestBuffer, k: TestBuffer, v: TestBuffer, maskedKeys: Set<Int>, shape: Attention.Shape
    ) -> ([Double], [Double]) {
        let (tq, tk, dh, width, band) = (shape.queries, shape.keys, shape.headDim, shape.width, shape.bandWidth)
        var output = [Double](repeating: 0, count: tq * width)
        var probabilities = [Double](repeating: 0, count: shape.probabilityCount)
        for h in 0..<shape.heads {
            for i in 0..<tq {
                let allowed = (0..<tk).filter { j in !maskedKeys.contains(j) && shape.window.map { abs(i - j) <= $0 } ?? true }
                guard !allowed.isEmpty else { continue }
                let scores = allowed.map { j in
                    (0..<dh).reduce(0.0) { $0 + Double(q.pointer[i * width + h * dh + $1]) * Double(k.pointer[j * width + h * dh + $1]) }
                        / Double(dh).squareRoot()
                }
                let maximum = scores.max()!
                let weights = scores.map { Foundation.exp($0 - maximum) }
                let total = weights.reduce(0, +)
                for (j, weight) in zip(allowed, weights) {
                    let p = weight / total
                    let slot = shape.window.map { j - (i - $0) } ?? j
                    probabilities[(h * tq + i) * band + slot] = p
                    for c in 0..<dh { output[i * width + h * dh + c] += p * Double(v.pointer[j * width + h * dh + c]) }
                }
            }
        }
        return (output, probabilities)
    }

    // MARK: Composition

    /// Every input moves all 1120 outputs through six layers, so Float noise in ℒ reaches ~5e-6:
    /// per-element step 3e-2 (1e-2 along the direction, which moves every element at once),
    /// 1e-2 relative + 5e-4 absolute per element, 2e-4 along a direction.
    static let blockTolerance = GradientCheck.Tolerance(relative: 1e-2, absolute: 5e-4, directional: 2e-4)

    /// A pre-norm local-attention block, y = x + Wₒ·Attention(RoPE(h·W_q), RoPE(h·W_k), h·W_v) with
    /// h = LayerNorm(x), assembled from the layers as the model does: each backward accumulates, so
    /// the residual is `dx += dy` and the three projections add into one dh.
    func testAttentionBlockGradients() {
        let (frames, d, heads, offset) = (70, 16, 2, 5)
        let shape = Attention.Shape(queries: frames, keys: frames, heads: heads, headDim: d / heads, window: 6)
        var generator = SplitMix64(seed: 14)
        let x = TestBuffer(random: frames * d, &generator)
        let gamma = TestBuffer(random: d, &generator, in: 0.5...1.5), beta = TestBuffer(random: d, &generator)
        let projections = (0..<4).map { _ in TestBuffer(random: d * d, &generator, in: -0.5...0.5) }
        let (wq, wk, wv, wo) = (projections[0], projections[1], projections[2], projections[3])
        let mean = TestBuffer(count: frames), rstd = TestBuffer(count: frames)
        let cos = TestBuffer(count: frames * shape.headDim / 2), sin = TestBuffer(count: frames * shape.headDim / 2)
        RotaryEmbedding.fillTables(cos: cos.pointer, sin: sin.pointer, rows: frames, headDim: shape.headDim, positionOffset: offset)
        let (h, q, k, v, a) = (0..<5).map { _ in TestBuffer(count: frames * d) }.tuple5
        let probabilities = TestBuffer(count: shape.probabilityCount)

        func linear(_ input: TestBuffer, _ weight: TestBuffer, _ output: UnsafeMutablePointer<Float>) {
            Linear.forward(x: input.pointer, weight: weight.pointer, bias: nil, y: output, rows: frames, inFeatures: d, outFeatures: d)
        }
        GradientCheck(
            name: "attention block", inputs: [("x", x), ("gamma", gamma), ("beta", beta), ("Wq", wq), ("Wk", wk), ("Wv", wv), ("Wo", wo)],
            outputCount: frames * d, tolerance: Self.blockTolerance,
            epsilon: 3e-2, directionalEpsilon: 1e-2
        ).run(
            forward: { y in
                LayerNorm.forward(
                    x: x.pointer, gamma: gamma.pointer, beta: beta.pointer, y: h.pointer, mean: mean.pointer, rstd: rstd.pointer,
                    rows: frames, features: d)
                linear(h, wq, q.pointer)
                linear(h, wk, k.pointer)
                linear(h, wv, v.pointer)
                for rotated in [q, k] {
                    RotaryEmbedding.forward(
                        x: rotated.pointer, y: rotated.pointer, cos: cos.pointer, sin: sin.pointer,
                        rows: frames, heads: heads, headDim: shape.headDim)
                }
                Attention.forward(
                    q: q.pointer, k: k.pointer, v: v.pointer, keyMask: nil, output: a.pointer,
                    probabilities: probabilities.pointer, shape: shape)
                Linear.forward(x: a.pointer, weight: wo.pointer, bias: nil, y: y, rows: frames, inFeatures: d, outFeatures: d)
                Elementwise.add(x.pointer, into: y, count: frames * d)
            },
            backward: { dy, g in
                let (dx, dGamma, dBeta, dWq, dWk, dWv, dWo) = (g[0], g[1], g[2], g[3], g[4], g[5], g[6])
                let (dh, dq, dk, dv, da) = (0..<5).map { _ in TestBuffer(count: frames * d) }.tuple5
                let (dqRotated, dkRotated) = (TestBuffer(count: frames * d), TestBuffer(count: frames * d))
                Elementwise.add(dy, into: dx, count: frames * d)
                Linear.backward(
                    dy: dy, x: a.pointer, weight: wo.pointer, dx: da.pointer, dWeight: dWo, dBias: nil,
                    rows: frames, inFeatures: d, outFeatures: d)
                Attention.backward(
                    dOutput: da.pointer, q: q.pointer, k: k.pointer, v: v.pointer, probabilities: probabilities.pointer,
                    dq: dqRotated.pointer, dk: dkRotated.pointer, dv: dv.pointer, shape: shape)
                for (rotated, unrotated) in [(dqRotated, dq), (dkRotated, dk)] {
                    RotaryEmbedding.backward(
                        dy: rotated.pointer, dx: unrotated.pointer, cos: cos.pointer, sin: sin.pointer,
                        rows: frames, heads: heads, headDim: shape.headDim)
                }
                for (dProjected, weight, dWeight) in [(dq, wq, dWq), (dk, wk, dWk), (dv, wv, dWv)] {
                    Linear.backward(
                        dy: dProjected.pointer, x: h.pointer, weight: weight.pointer, dx: dh.pointer, dWeight: dWeight, dBias: nil,
                        rows: frames, inFeatures: d, outFeatures: d)
                }
                LayerNorm.backward(
                    dy: dh.pointer, x: x.pointer, gamma: gamma.pointer, mean: mean.pointer, rstd: rstd.pointer,
                    dx: dx, dGamma: dGamma, dBeta: dBeta, rows: frames, features: d)
            })
    }

    // MARK: Conv1D

    /// Linear in each argument: 1e-3 relative + 1e-4 absolute per element, 1e-4 along a direction.
    static let convTolerance = GradientCheck.Tolerance(relative: 1e-3, absolute: 1e-4, directional: 1e-4)

    func testConv1DGradients() {
        // K = 5 over 2 frames: every tap of both frames touches padding.
        for (frames, inChannels, outChannels, kernelSize) in [(11, 6, 5, 3), (9, 4, 7, 5), (2, 3, 4, 5)] {
            var generator = SplitMix64(seed: 10)
            let x = TestBuffer(random: frames * inChannels, &generator)
            let w = TestBuffer(random: kernelSize * inChannels * outChannels, &generator)
            let b = TestBuffer(random: outChannels, &generator)
            let columns = TestBuffer(count: frames * kernelSize * inChannels)
            GradientCheck(
                name: "Conv1D(T \(frames), K \(kernelSize))", inputs: [("x", x), ("W", w), ("b", b)], outputCount: frames * outChannels,
                tolerance: Self.convTolerance
            ).run(
                forward: { y in
                    Conv1D.forward(
                        x: x.pointer, weight: w.pointer, bias: b.pointer, y: y, columns: columns.pointer,
                        frames: frames, inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize)
                },
                backward: { dy, g in
                    Conv1D.backward(
                        dy: dy, columns: columns.pointer, weight: w.pointer, dx: g[0], dWeight: g[1], dBias: g[2],
                        frames: frames, inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize)
                })
        }
    }

    func testConv1DForwardMatchesDirectSum() {
        let (frames, inChannels, outChannels, kernelSize) = (8, 3, 4, 5)
        var generator = SplitMix64(seed: 11)
        let x = TestBuffer(random: frames * inChannels, &generator)
        let w = TestBuffer(random: kernelSize * inChannels * outChannels, &generator)
        let b = TestBuffer(random: outChannels, &generator), y = TestBuffer(count: frames * outChannels)
        let columns = TestBuffer(count: frames * kernelSize * inChannels)
        Conv1D.forward(
            x: x.pointer, weight: w.pointer, bias: b.pointer, y: y.pointer, columns: columns.pointer,
            frames: frames, inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize)
        for t in 0..<frames {
            for o in 0..<outChannels {
                var expected = Double(b.pointer[o])
                for tap in 0..<kernelSize where (0..<frames).contains(t + tap - kernelSize / 2) {
                    let input = t + tap - kernelSize / 2
                    for c in 0..<inChannels {
                        expected += Double(x.pointer[input * inChannels + c]) * Double(w.pointer[(tap * inChannels + c) * outChannels + o])
                    }
                }
                XCTAssertEqual(Double(y.pointer[t * outChannels + o]), expected, accuracy: 1e-5)
            }
        }
    }

    // MARK: FramePatch

    /// A copy: 1e-3 relative + 1e-4 absolute per element, 1e-4 along a direction.
    static let patchTolerance = GradientCheck.Tolerance(relative: 1e-3, absolute: 1e-4, directional: 1e-4)

    func testFramePatchGradients() {
        let (inputFrames, channels) = (10, 3)  // not a multiple of 4: the last output frame is half padding
        var generator = SplitMix64(seed: 12)
        let x = TestBuffer(random: inputFrames * channels, &generator)
        let outputCount = FramePatch.outputFrames(inputFrames: inputFrames) * 4 * channels
        GradientCheck(name: "FramePatch", inputs: [("x", x)], outputCount: outputCount, tolerance: Self.patchTolerance)
            .run(
                forward: { y in FramePatch.forward(x: x.pointer, y: y, inputFrames: inputFrames, channels: channels, padValue: -9) },
                backward: { dy, g in FramePatch.backward(dy: dy, dx: g[0], inputFrames: inputFrames, channels: channels) })
    }

    func testFramePatchForwardGroupsFramesAndPads() {
        let (inputFrames, channels, factor) = (7, 2, 4)
        let x = TestBuffer((0..<inputFrames * channels).map(Float.init))
        XCTAssertEqual(FramePatch.outputFrames(inputFrames: inputFrames, factor: factor), 2)
        XCTAssertEqual(FramePatch.outputFrames(inputFrames: 8, factor: factor), 2)
        let y = TestBuffer(count: 2 * factor * channels)
        FramePatch.forward(x: x.pointer, y: y.pointer, inputFrames: inputFrames, channels: channels, factor: factor, padValue: -1)
        // y[t, f·C + c] = x[4t + f, c]
        XCTAssertEqual(y.values, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, -1, -1])
    }

    // MARK: Embedding

    /// A gather: 1e-3 relative + 1e-4 absolute per element, 1e-4 along a direction.
    static let embeddingTolerance = GradientCheck.Tolerance(relative: 1e-3, absolute: 1e-4, directional: 1e-4)

    func testEmbeddingGradients() {
        let (vocabularySize, width) = (10, 9)
        let ids: [Int32] = [3, 7, 3, 0, 9, 3, 1, 7, 2, 2, 5, 8]  // repeats must accumulate
        var generator = SplitMix64(seed: 13)
        let table = TestBuffer(random: vocabularySize * width, &generator)
        GradientCheck(
            name: "Embedding", inputs: [("table", table)], outputCount: ids.count * width, tolerance: Self.embeddingTolerance,
            elementsPerInput: 90
        ).run(
            forward: { y in
                ids.withUnsafeBufferPointer {
                    Embedding.forward(
                        ids: $0.baseAddress!, table: table.pointer, y: y, tokens: ids.count, width: width, vocabularySize: vocabularySize)
                }
            },
            backward: { dy, g in
                ids.withUnsafeBufferPointer {
                    Embedding.backward(
                        dy: dy, ids: $0.baseAddress!, dTable: g[0], tokens: ids.count, width: width, vocabularySize: vocabularySize)
                }
            })
    }

    // MARK: Elementwise

    func testElementwise() {
        let count = 21
        let a = TestBuffer((0..<count).map(Float.init)), b = TestBuffer((0..<count).map { Float($0 * 10) })
        let sum = TestBuffer(count: count)
        Elementwise.add(a.pointer, b.pointer, into: sum.pointer, count: count)
        XCTAssertEqual(sum.values, (0..<count).map { Float($0 * 11) })
        Elementwise.add(a.pointer, into: sum.pointer, count: count)
        XCTAssertEqual(sum.values, (0..<count).map { Float($0 * 12) })
        Elementwise.add(a.pointer, scaledBy: -2, into: sum.pointer, count: count)
        XCTAssertEqual(sum.values, (0..<count).map { Float($0 * 10) })
        Elementwise.scale(sum.pointer, by: 0.5, count: count)
        XCTAssertEqual(sum.values, (0..<count).map { Float($0 * 5) })
    }
}

extension Array {
    /// The first five elements as a tuple, for destructuring a batch of buffers.
    fileprivate var tuple5: (Element, Element, Element, Element, Element) { (self[0], self[1], self[2], self[3], self[4]) }
}
