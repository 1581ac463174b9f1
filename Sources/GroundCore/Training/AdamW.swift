import Foundation

/// AdamW (Loshchilov & Hutter): Adam moments with weight decay applied to the parameters
/// directly, and only to matrices (`ParameterTensor.decays`):
///
///     m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
///     θ ← θ − η ( m̂ / (√v̂ + ε) + λ θ ),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
public struct AdamW: Sendable {
    public struct Hyperparameters: Codable, Sendable, Equatable {
        public var beta1: Float = 0.9
        public var beta2: Float = 0.98
        public var epsilon: Float = 1e-8
        public var weightDecay: Float = 0.01
        public init() {}
    }

    public var hyperparameters: Hyperparameters
    public private(set) var step = 0
    public private(set) var firstMoment: [Float]
    public private(set) var secondMoment: [Float]
    /// 1 where a value decays, 0 elsewhere (including alignment padding).
    private let decayMask: [Float]

    public init(layout: ParameterLayout, hyperparameters: Hyperparameters = Hyperparameters()) {
        self.hyperparameters = hyperparameters
        firstMoment = [Float](repeating: 0, count: layout.count)
        secondMoment = [Float](repeating: 0, count: layout.count)
        var mask = [Float](repeating: 0, count: layout.count)
        for tensor in layout.tensors where tensor.decays {
            for i in tensor.offset..<(tensor.offset + tensor.count) { mask[i] = 1 }
        }
        decayMask = mask
    }

    /// Restores the optimiser state saved in a checkpoint.
    public init(
        layout: ParameterLayout, hyperparameters: Hyperparameters, step: Int, firstMoment: [Float],
        secondMoment: [Float]
    ) throws {
        self.init(layout: layout, hyperparameters: hyperparameters)
        guard firstMoment.count == layout.count, secondMoment.count == layout.count else {
            throw GroundError("optimiser state does not match the model's parameter layout")
        }
        self.step = step
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }

    /// One update of `parameters` with `gradients` at learning rate `learningRate`.
    public mutating func update(parameters: FloatBuffer, gradients: FloatBuffer, learningRate: Float) {
        precondition(parameters.count == firstMoment.count && gradients.count == firstMoment.count)
        step += 1
        let h = hyperparameters
        let correction1 = 1 - Float(pow(Double(h.beta1), Double(step)))
        let correction2 = 1 - Float(pow(Double(h.beta2), Double(step)))
        let (b1, b2, eps) = (h.beta1, h.beta2, h.epsilon)
        let decay = learningRate * h.weightDecay
        let count = parameters.count
        let theta = parameters.pointer, g = gradients.pointer
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                decayMask.withUnsafeBufferPointer { mask in
                    for i in 0..<count {
                        let gi = g[i]
                        let mi = b1 * m[i] + (1 - b1) * gi
                        let vi = b2 * v[i] + (1 - b2) * gi * gi
                        m[i] = mi
                        v[i] = vi
                        let adam = (mi / correction1) / ((vi / correction2).squareRoot() + eps)
                        theta[i] -= learningRate * adam + decay * mask[i] * theta[i]
                    }
                }
            }
        }
    }
}

/// Scales `gradients` so that their global L2 norm is at most `maxNorm`; returns the norm before
/// clipping (accumulated in Double, so it does not depend on summation order effects in Float).
@discardableResult
public func clipGradientNorm(_ gradients: FloatBuffer, maxNorm: Float) -> Float {
    let g = gradients.pointer
    var sum = 0.0
    for i in 0..<gradients.count { sum += Double(g[i]) * Double(g[i]) }
    let norm = Float(sum.squareRoot())
    if norm > maxNorm, norm.isFinite {
        let scale = maxNorm / norm
        for i in 0..<gradients.count { g[i] *= scale }
    }
    return norm
}
