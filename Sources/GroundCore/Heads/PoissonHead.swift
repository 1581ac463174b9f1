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
///
/// Eq. 5 conditions on n, so it leaves the overall scale of λ free. To make Λ(T) the model's
/// expected count (and to let clips without the word teach it "absent"), the Poisson likelihood
/// of the count itself can be added with weight α: α · (Λ(T) − n log Λ(T)). With α = 1 the sum
/// is the unconditional IHP likelihood −Σ log λ(t_j) + Λ(T) (up to log n!).
public enum PoissonHead {
    /// Loss and its gradient with respect to the log-intensities.
    ///
    /// - Parameters:
    ///   - logIntensity: log λ_k for k = 0..<frames, read with `stride` (one channel of a (T, C) matrix).
    ///   - events: event times in frame units (seconds / frame duration); times outside [0, T) are
    ///     clamped to the first or last frame.
    ///   - countWeight: α, the weight of the count term (0: eq. 5 alone).
    ///   - gradient: receives ∂ℒ/∂log λ_k = n·λ_k/Λ(T) − #{j : t_j ∈ frame k}
    ///     + α·λ_k·(1 − n/Λ(T)), accumulated (+=).
    /// - Returns: ℒ (with α = 0, 0 when there are no events).
    @discardableResult
    public static func loss(
        logIntensity: UnsafePointer<Float>, frames: Int, stride: Int = 1, events: [Double], countWeight: Double = 0,
        gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        guard frames > 0, !events.isEmpty || countWeight > 0 else { return 0 }
        let n = Double(events.count)
        var maximum = -Double.infinity
        for k in 0..<frames { maximum = max(maximum, Double(logIntensity[k &* stride])) }
        var total = 0.0
        for k in 0..<frames { total += exp(Double(logIntensity[k &* stride]) - maximum) }
        let logTotal = maximum + log(total)  // log Λ(T)
        // Λ(T) itself only enters the count term; capped so absurd logits give a huge, finite loss.
        let expected = exp(min(logTotal, 80))
        var loss = n * logTotal + countWeight * (expected - n * logTotal)
        for time in events {
            let k = frameIndex(time, frames: frames)
            loss -= Double(logIntensity[k &* stride])
            gradient?[k &* stride] -= 1
        }
        if let gradient {
            let countFactor = countWeight * (expected - n)  // α λ_k (1 − n/Λ) = α (Λ − n) · λ_k/Λ
            for k in 0..<frames {
                let share = exp(Double(logIntensity[k &* stride]) - logTotal)  // λ_k / Λ(T)
                gradient[k &* stride] += Float((n + countFactor) * share)
            }
        }
        return loss
    }

    /// The frame holding time t (frame units): ⌊t⌋, clamped to [0, frames − 1].
    public static func frameIndex(_ time: Double, frames: Int) -> Int {
        guard time.isFinite else { return time > 0 ? frames - 1 : 0 }
        return min(frames - 1, max(0, Int(time.rounded(.down))))
    }
}
