import Foundation

/// The inhomogeneous-Poisson frame head (paper §2.2). Frame k of a channel carries
/// log λ_k = h·d_k + b (eq. 2); the intensity is piecewise constant, λ(t) = λ_k for t ∈ [k, k+1)
/// in frame units (eq. 3), so Λ(T) = Σ_k λ_k.
///
/// For n event times t_1…t_n, eq. 5 gives the negative log-likelihood
///
///     ℒ = −Σ_j log λ(t_j) + n · log Λ(T).
///
/// (The paper's text writes the n = 1 case as "−log λ_t + Λ(T)"; eq. 4 and 5 give "+ log Λ(T)",
/// which is what is implemented: the density of the event times conditioned on their count.)
/// log Λ(T) is a log-sum-exp over frames, so long clips and large logits never overflow.
public enum PoissonHead {
    /// Loss and its gradient with respect to the log-intensities.
    ///
    /// - Parameters:
    ///   - logIntensity: log λ_k for k = 0..<frames, read with `stride` (one channel of a (T, C) matrix).
    ///   - events: event times in frame units (seconds / frame duration); times outside [0, T) are
    ///     clamped to the first or last frame.
    ///   - gradient: receives ∂ℒ/∂log λ_k = n·λ_k/Λ(T) − #{j : t_j ∈ frame k}, accumulated (+=).
    /// - Returns: ℒ (0 when there are no events).
    @discardableResult
    public static func loss(
        logIntensity: UnsafePointer<Float>, frames: Int, stride: Int = 1, events: [Double],
        gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        guard !events.isEmpty, frames > 0 else { return 0 }
        let n = Double(events.count)
        var maximum = -Double.infinity
        for k in 0..<frames { maximum = max(maximum, Double(logIntensity[k &* stride])) }
        var total = 0.0
        for k in 0..<frames { total += exp(Double(logIntensity[k &* stride]) - maximum) }
        let logTotal = maximum + log(total)  // log Λ(T)
        var loss = n * logTotal
        for time in events {
            let k = frameIndex(time, frames: frames)
            loss -= Double(logIntensity[k &* stride])
            gradient?[k &* stride] -= 1
        }
        if let gradient {
            for k in 0..<frames {
                gradient[k &* stride] += Float(n * exp(Double(logIntensity[k &* stride]) - logTotal))
            }
        }
        return loss
    }

    /// The frame holding time t (frame units): ⌊t⌋, clamped to [0, frames − 1].
    public static func frameIndex(_ time: Double, frames: Int) -> Int {
        guard time.isFinite else { return time > 0 ? frames - 1 : 0 }
        return min(frames - 1, max(0, Int(time.rounded(.down))))
    }

    /// Λ(T) = Σ_k exp(log λ_k): the expected number of events in the clip.
    public static func expectedCount(logIntensity: UnsafePointer<Float>, frames: Int, stride: Int = 1) -> Double {
        var total = 0.0
        for k in 0..<frames { total += exp(Double(logIntensity[k &* stride])) }
        return total
    }
}
