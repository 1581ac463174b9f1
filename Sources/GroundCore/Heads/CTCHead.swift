import Foundation

/// Connectionist temporal classification (Graves et al., 2006): the negative log-probability of a
/// label sequence y (length U, no blanks) summed over all frame-level paths that collapse to it,
/// with per-frame distributions softmax(z_t) over C classes, class 0 the blank.
///
/// With the extended sequence y' = (∅, y₁, ∅, y₂, …, y_U, ∅) of length S = 2U + 1, the forward
/// variables α and backward variables β (in log space, Double) give
///
///     ℒ = −log Σ_s α_{T−1}(s) β_{T−1}(s)
///     ∂ℒ/∂z_t(c) = softmax(z_t)(c) − (1/P) Σ_{s : y'_s = c} α_t(s) β_t(s).
///
/// Used as an auxiliary objective on the audio encoder, so its states carry what was said.
public enum CTCHead {
    /// Loss of `labels` (each in 1..<classes) under `logits` (frames, classes); accumulates
    /// `scale` · ∂ℒ/∂logits into `gradient`. Returns +∞ (and no gradient) when the sequence cannot
    /// fit in the frames (T < U + number of repeated neighbours).
    @discardableResult
    public static func loss(
        logits: UnsafePointer<Float>, frames: Int, classes: Int, labels: [Int], scale: Double = 1,
        gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        let u = labels.count, s = 2 * u + 1
        let repeats = zip(labels, labels.dropFirst()).filter { $0 == $1 }.count
        guard frames >= u + repeats, frames > 0 else { return .infinity }
        // Log-softmax per frame.
        var logProbabilities = [Double](repeating: 0, count: frames * classes)
        for t in 0..<frames {
            let row = logits + t &* classes
            var maximum = -Double.infinity
            for c in 0..<classes { maximum = max(maximum, Double(row[c])) }
            var sum = 0.0
            for c in 0..<classes { sum += exp(Double(row[c]) - maximum) }
            let logSum = maximum + log(sum)
            for c in 0..<classes { logProbabilities[t * classes + c] = Double(row[c]) - logSum }
        }
        func label(_ position: Int) -> Int { position % 2 == 0 ? 0 : labels[position / 2] }
        /// May a path skip from position − 2 to `position` (a label differing from the previous label)?
        func canSkip(_ position: Int) -> Bool { position % 2 == 1 && position >= 2 && label(position) != label(position - 2) }

        let negativeInfinity = -Double.infinity
        var alpha = [Double](repeating: negativeInfinity, count: frames * s)
        var beta = [Double](repeating: negativeInfinity, count: frames * s)
        alpha[0] = logProbabilities[0]
        if s > 1 { alpha[1] = logProbabilities[label(1)] }
        for t in 1..<max(1, frames) {
            for p in 0..<s {
                var a = alpha[(t - 1) * s + p]
                if p >= 1 { a = logAdd(a, alpha[(t - 1) * s + p - 1]) }
                if canSkip(p) { a = logAdd(a, alpha[(t - 1) * s + p - 2]) }
                alpha[t * s + p] = a + logProbabilities[t * classes + label(p)]
            }
        }
        let last = frames - 1
        beta[last * s + s - 1] = 0
        if s > 1 { beta[last * s + s - 2] = 0 }
        for t in stride(from: last - 1, through: 0, by: -1) {
            for p in 0..<s {
                var b = beta[(t + 1) * s + p] + logProbabilities[(t + 1) * classes + label(p)]
                if p + 1 < s { b = logAdd(b, beta[(t + 1) * s + p + 1] + logProbabilities[(t + 1) * classes + label(p + 1)]) }
                if p + 2 < s, canSkip(p + 2) {
                    b = logAdd(b, beta[(t + 1) * s + p + 2] + logProbabilities[(t + 1) * classes + label(p + 2)])
                }
                beta[t * s + p] = b
            }
        }
        var logLikelihood = negativeInfinity
        for p in max(0, s - 2)..<s { logLikelihood = logAdd(logLikelihood, alpha[last * s + p]) }
        guard logLikelihood.isFinite else { return .infinity }

        if let gradient {
            var occupancy = [Double](repeating: negativeInfinity, count: classes)
            for t in 0..<frames {
                for c in 0..<classes { occupancy[c] = negativeInfinity }
                for p in 0..<s {
                    let c = label(p)
                    occupancy[c] = logAdd(occupancy[c], alpha[t * s + p] + beta[t * s + p])
                }
                for c in 0..<classes {
                    let softmax = exp(logProbabilities[t * classes + c])
                    let posterior = exp(occupancy[c] - logLikelihood)
                    gradient[t &* classes &+ c] += Float(scale * (softmax - posterior))
                }
            }
        }
        return -logLikelihood
    }

    /// log(e^a + e^b) without overflow; −∞ is the identity.
    @inline(__always)
    static func logAdd(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b))
    }
}
