import Foundation

/// The binary frame head (paper §2.1): p_t = σ(w·d_t + b) is the probability that frame t holds
/// the event. The loss is binary cross-entropy (eq. 1) with the positive class weighted by
/// w⁺ = #negative frames / #positive frames of the example, averaged over frames:
///
///     ℒ = (1/T) Σ_t [ w⁺ y_t · softplus(−z_t) + (1 − y_t) · softplus(z_t) ],
///
/// using −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z), which are stable for any z.
public enum BinaryHead {
    /// Per-frame labels: 1 for every frame holding at least one event time (frame units).
    public static func labels(events: [Double], frames: Int) -> [Float] {
        var labels = [Float](repeating: 0, count: frames)
        for time in events where frames > 0 { labels[PoissonHead.frameIndex(time, frames: frames)] = 1 }
        return labels
    }

    /// The positive-class weight #negatives / #positives (1 when either class is absent).
    public static func positiveWeight(labels: [Float]) -> Double {
        let positives = labels.reduce(0) { $0 + Double($1) }
        let negatives = Double(labels.count) - positives
        return positives > 0 && negatives > 0 ? negatives / positives : 1
    }

    /// Loss, accumulating ∂ℒ/∂z_t = (w⁺ y_t (σ(z_t) − 1) + (1 − y_t) σ(z_t)) / T into `gradient`.
    @discardableResult
    public static func loss(
        logits: UnsafePointer<Float>, frames: Int, stride: Int = 1, events: [Double],
        gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        guard frames > 0 else { return 0 }
        let labels = labels(events: events, frames: frames)
        let weight = positiveWeight(labels: labels)
        let scale = 1 / Double(frames)
        var loss = 0.0
        for t in 0..<frames {
            let z = Double(logits[t &* stride])
            let y = Double(labels[t])
            loss += weight * y * softplus(-z) + (1 - y) * softplus(z)
            gradient?[t &* stride] += Float(scale * (weight * y * (sigmoid(z) - 1) + (1 - y) * sigmoid(z)))
        }
        return loss * scale
    }

    public static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    /// log(1 + e^z) without overflow.
    public static func softplus(_ z: Double) -> Double {
        z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
    }
}
