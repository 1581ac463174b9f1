import Foundation
import GroundCore
import XCTest

/// A Float buffer owned by a test, with a stable pointer to hand to the layers.
final class TestBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int, value: Float = 0) {
        self.count = count
        pointer = .allocate(capacity: Swift.max(1, count))
        pointer.initialize(repeating: value, count: Swift.max(1, count))
    }

    /// Uniform in `range`.
    convenience init(random count: Int, _ generator: inout SplitMix64, in range: ClosedRange<Float> = -1...1) {
        self.init(count: count)
        for i in 0..<count {
            pointer[i] = range.lowerBound + (range.upperBound - range.lowerBound) * Float(generator.nextUnitDouble())
        }
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        for (i, value) in values.enumerated() { pointer[i] = value }
    }

    deinit { pointer.deallocate() }

    var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// Finite-difference check of a layer's backward against its forward, for the scalar loss
/// ℒ = Σ r ⊙ y with r fixed and random, accumulated in Double.
///
/// The analytic gradient g of every input comes from one backward call with dy = r into gradient
/// buffers pre-filled with random values, minus those values: a backward that overwrites instead
/// of accumulating fails. It is compared with central differences in two ways:
/// - per element, on a random subset: |fd − g| ≤ relative·max(|fd|, |g|) + absolute;
/// - along a random direction u per input: |fd − g·u| ≤ `directional`·max(|g·u|, ‖g‖‖u‖/√n)
///   (summing many elements makes this the sharper test).
/// Float32 forwards leave ~1e-7 relative noise in ℒ, which a small step would amplify; instead
/// the step is large (ε ≈ 1e-2) and its O(ε²) truncation error is removed by Richardson
/// extrapolation, fd = (4·D(ε) − D(2ε))/3. Each D divides by the step actually taken after
/// rounding the perturbed input to Float.
struct GradientCheck {
    struct Tolerance {
        var relative: Double
        var absolute: Double
        var directional: Double
    }

    let name: String
    let inputs: [(name: String, buffer: TestBuffer)]
    let outputCount: Int
    let tolerance: Tolerance
    var epsilon: Float = 1e-2
    /// Step along the random direction, if different: it moves every element at once, so
    /// nonlinear layers may need it smaller than the per-element step.
    var directionalEpsilon: Float?
    var elementsPerInput = 48
    var seed: UInt64 = 1234

    /// `forward` writes y; `backward` receives dy and one gradient buffer per input, in order.
    func run(
        forward: (_ y: UnsafeMutablePointer<Float>) -> Void,
        backward: (_ dy: UnsafePointer<Float>, _ gradients: [UnsafeMutablePointer<Float>]) -> Void,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        var generator = SplitMix64(seed: seed)
        let weights = TestBuffer(random: outputCount, &generator)
        let y = TestBuffer(count: outputCount)
        func loss() -> Double {
            forward(y.pointer)
            var total = 0.0
            for i in 0..<outputCount { total += Double(weights.pointer[i]) * Double(y.pointer[i]) }
            XCTAssertTrue(total.isFinite, "\(name): loss is not finite", file: file, line: line)
            return total
        }

        _ = loss()  // the backward may rely on what this forward saved
        let initial = inputs.map { TestBuffer(random: $0.buffer.count, &generator, in: -0.5...0.5) }
        let gradients = initial.map { TestBuffer($0.values) }
        backward(weights.pointer, gradients.map(\.pointer))
        let analytic: [[Double]] = zip(gradients, initial).map { g, g0 in
            (0..<g.count).map { Double(g.pointer[$0]) - Double(g0.pointer[$0]) }
        }

        for (index, (inputName, x)) in inputs.enumerated() {
            let g = analytic[index]
            XCTAssertTrue(g.allSatisfy(\.isFinite), "\(name) d\(inputName) is not finite", file: file, line: line)
            let original = x.values

            /// ℒ(x⁺) − ℒ(x⁻) for x± = x ± h·u rounded to Float, and the steps x⁺ − x⁻ actually taken.
            func centralDifference(_ h: Float, along direction: [Float]) -> (loss: Double, steps: [Double]) {
                let plus = (0..<x.count).map { original[$0] + h * direction[$0] }
                let minus = (0..<x.count).map { original[$0] - h * direction[$0] }
                x.pointer.update(from: plus, count: x.count)
                let lossPlus = loss()
                x.pointer.update(from: minus, count: x.count)
                let lossMinus = loss()
                x.pointer.update(from: original, count: x.count)
                return (lossPlus - lossMinus, zip(plus, minus).map { Double($0) - Double($1) })
            }

            // Per element.
            let sample = x.count <= elementsPerInput
                ? Array(0..<x.count) : (0..<elementsPerInput).map { _ in Int(generator.next() % UInt64(x.count)) }
            var worst = 0.0
            for i in sample {
                var unit = [Float](repeating: 0, count: x.count)
                unit[i] = 1
                let (small, large) = (centralDifference(epsilon, along: unit), centralDifference(2 * epsilon, along: unit))
                let numeric = (4 * small.loss / small.steps[i] - large.loss / large.steps[i]) / 3
                let allowed = tolerance.relative * Swift.max(abs(numeric), abs(g[i])) + tolerance.absolute
                worst = Swift.max(worst, abs(numeric - g[i]) / allowed)
                XCTAssertLessThanOrEqual(
                    abs(numeric - g[i]), allowed, "\(name) d\(inputName)[\(i)]: analytic \(g[i]), numeric \(numeric)",
                    file: file, line: line)
            }

            // Along a random direction: measured minus predicted change, relative to the predicted
            // one or, if larger, to its typical size ‖g‖·‖δ‖/√n for a random direction (so that a
            // chance cancellation in g·δ does not inflate the error).
            let direction = (0..<x.count).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
            let gradientNorm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            func relativeError(_ h: Float) -> Double {
                let (change, steps) = centralDifference(h, along: direction)
                let predicted = zip(g, steps).reduce(0) { $0 + $1.0 * $1.1 }
                let typical = gradientNorm * steps.reduce(0) { $0 + $1 * $1 }.squareRoot() / Double(x.count).squareRoot()
                return (change - predicted) / Swift.max(abs(predicted), typical)
            }
            let step = directionalEpsilon ?? epsilon
            let error = abs((4 * relativeError(step) - relativeError(2 * step)) / 3)
            XCTAssertLessThanOrEqual(error, tolerance.directional, "\(name) d\(inputName) along a direction", file: file, line: line)
            print(
                "gradient check \(name) d\(inputName): worst element error \(String(format: "%.3f", worst)) of allowed,",
                "directional relative error \(String(format: "%.1e", error))")
        }
    }
}
