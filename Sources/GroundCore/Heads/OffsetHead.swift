import Foundation

/// Sub-frame offsets: where inside (or near) a 40 ms frame the event is.
///
/// The event heads score whole frames; the parabola through three frame scores
/// (`GuidedPeaks.vertexOffset`) or the order statistic's mode (eq. 8) place an event inside its
/// frame only as well as the frame scores' shape allows. The offset head regresses the position
/// directly from the decoder state, as in anchor-based detectors: frame t near event time τ
/// (frame units) outputs δ_t ≈ τ − (t + ½), so t + ½ + δ_t is the event's time read from frame t.
///
/// Targets exist only for frames within `radius` frames of an event's frame (the nearest event
/// wins where two compete); the loss is the smooth-L1 (Huber) loss with knee β,
///
///     h(r) = r² / (2β) for |r| < β, |r| − β/2 otherwise,   r = δ_t − (τ − t − ½),
///
/// summed over target frames and divided by the number of events, like the Poisson loss.
public enum OffsetHead {
    /// Frames on each side of an event's frame that learn to point at it.
    public static let radius = 2
    /// β in frames (10 ms at 40 ms frames): quadratic near the target, linear beyond.
    public static let knee = 0.25

    /// Loss and its gradient with respect to the offsets.
    /// - Parameters:
    ///   - offsets: δ_t for t = 0..<frames, read with `stride` (one channel of a (T, C) matrix).
    ///   - events: event times in frame units.
    ///   - gradient: receives scale · ∂ℒ/∂δ_t (accumulated, +=).
    /// - Returns: ℒ (0 when there are no events).
    @discardableResult
    public static func loss(
        offsets: UnsafePointer<Float>, frames: Int, stride: Int = 1, events: [Double], scale: Double = 1,
        gradient: UnsafeMutablePointer<Float>?
    ) -> Double {
        guard frames > 0, !events.isEmpty else { return 0 }
        let targets = self.targets(events: events, frames: frames)
        let perEvent = 1 / Double(events.count)
        let gradientFactor = scale * perEvent
        var loss = 0.0
        for t in 0..<frames {
            guard let target = targets[t] else { continue }
            let residual = Double(offsets[t &* stride]) - target
            if abs(residual) < knee {
                loss += residual * residual / (2 * knee) * perEvent
                gradient?[t &* stride] += Float(residual / knee * gradientFactor)
            } else {
                loss += (abs(residual) - knee / 2) * perEvent
                gradient?[t &* stride] += Float((residual > 0 ? 1 : -1) * gradientFactor)
            }
        }
        return loss
    }

    /// Per frame, τ − (t + ½) for the nearest event within `radius` frames of the event's frame; nil elsewhere.
    public static func targets(events: [Double], frames: Int) -> [Double?] {
        var targets = [Double?](repeating: nil, count: frames)
        for time in events where time.isFinite {
            let frame = PoissonHead.frameIndex(time, frames: frames)
            for t in max(0, frame - radius)...min(frames - 1, frame + radius) {
                let distance = time - (Double(t) + 0.5)
                if let existing = targets[t], abs(existing) <= abs(distance) { continue }
                targets[t] = distance
            }
        }
        return targets
    }

    /// The event time (frame units) read from frame t: t + ½ + δ_t, kept within the frames that
    /// were trained to point at an event (|δ| ≤ radius + ½).
    public static func position(frame t: Int, offset: Float) -> Double {
        let limit = Double(radius) + 0.5
        return Double(t) + 0.5 + min(limit, max(-limit, Double(offset)))
    }
}
