import Foundation

/// Transcript timestamps from a frame head guided by the alignment prior.
///
/// The posterior mode of the i-th order statistic (eqs. 6–8) reads all n words from one
/// intensity, so a missing or doubled peak early in a clip shifts every later word. With the
/// alignment prior the model also knows *roughly* where each word is: P_i(t), the CTC
/// forward–backward probability that word i's first label is first emitted at frame t, and its
/// mode a_i (`AlignmentPrior.Posteriors`). The head is sharp locally, the prior is robust
/// globally, so word i takes the best frame near its anchor by both, at least `separation`
/// after word i − 1:
///
///     t_i = argmax_{t ∈ [max(a_i − ℓ − w, t_{i−1} + δ), a_i − ℓ + w]} s_t + α · log(ε + P_i(t + ℓ))
///
/// where s_t is log λ_t (Poisson) or the logit (binary) — both monotone in the head's belief —
/// and ℓ the prior's lag: CTC emits a label once its sound is under way, so the mode of a word's
/// first emission trails its onset (by a median 30–60 ms on development speech), and the mode of
/// its last emission precedes its offset (ℓ < 0 for ends). Without a prior (α = 0, ℓ = 0) this is the
/// head's best frame within ±w of a_i. The chosen frame is refined to sub-frame precision by the
/// vertex of the parabola through the combined scores at t − 1, t, t + 1 (clamped to the frame),
/// so times are not quantised to frame centres. README, "Learning to use the text", has the
/// measurements behind w, α and ℓ.
public enum GuidedPeaks {
    /// The prior's part of the score.
    public struct AnchorPrior {
        /// α: weight of log P_i(t) against the head's score.
        public var weight: Double
        /// ℓ: frames by which the prior's modes trail the events (negative: precede them).
        public var lag: Int
        /// P_i(t) for event i at frame t.
        public var probability: (_ event: Int, _ frame: Int) -> Double

        public init(weight: Double, lag: Int, probability: @escaping (_ event: Int, _ frame: Int) -> Double) {
            self.weight = weight
            self.lag = lag
            self.probability = probability
        }

        /// ε: keeps log P finite where the prior rules a frame out, so the head can still overrule it.
        static let probabilityFloor = 1e-4
    }

    /// Peak positions in frames (frame t spans [t, t + 1)), one per anchor, non-decreasing.
    /// - Parameters:
    ///   - scores: per-frame scores, higher = more likely an event.
    ///   - anchors: the prior's most likely frame for each event, in order.
    ///   - window: frames searched on each side of an anchor (after subtracting the lag).
    ///   - separation: least distance in frames between consecutive events (two words cannot
    ///     start at the same instant).
    ///   - notBefore: per-event lower bounds in frames (e.g. each word's start when placing ends).
    ///   - prior: adds α · log(ε + P_i(t + ℓ)) to the scores; nil searches the head's scores only.
    public static func positions(
        scores: [Float], anchors: [Int], window: Int, separation: Double = 0, notBefore: [Double]? = nil,
        prior: AnchorPrior? = nil
    ) -> [Double] {
        let frames = scores.count
        guard frames > 0 else { return anchors.map { _ in 0 } }
        let lag = prior?.lag ?? 0
        var result: [Double] = []
        result.reserveCapacity(anchors.count)
        var previous = -separation
        for (i, anchor) in anchors.enumerated() {
            func score(_ t: Int) -> Double {
                guard let prior else { return Double(scores[t]) }
                return Double(scores[t]) + prior.weight * log(AnchorPrior.probabilityFloor + prior.probability(i, t + lag))
            }
            let centre = anchor - lag
            let bound = max(0, previous + separation, notBefore?[i] ?? 0)
            let lowest = min(frames - 1, Int(bound))
            let low = min(max(centre - window, lowest), frames - 1)
            let high = max(min(centre + window, frames - 1), low)
            var best = low, bestScore = score(low)
            for t in low...high {
                let candidate = score(t)
                if candidate > bestScore { (best, bestScore) = (t, candidate) }
            }
            let offset = best > 0 && best + 1 < frames ? vertexOffset(score(best - 1), bestScore, score(best + 1)) : 0
            let position = max(bound, Double(best) + 0.5 + offset)
            result.append(min(position, Double(frames)))
            previous = result[i]
        }
        return result
    }

    /// Offset in (−0.5, 0.5) of the vertex of the parabola through (−1, left), (0, centre),
    /// (1, right); 0 where the three points are not concave.
    static func vertexOffset(_ left: Double, _ centre: Double, _ right: Double) -> Double {
        let curvature = left - 2 * centre + right
        guard curvature < 0, curvature.isFinite else { return 0 }
        return min(0.5, max(-0.5, 0.5 * (left - right) / curvature))
    }
}
