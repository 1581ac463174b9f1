import Foundation

/// Linear warm-up to `peak`, then cosine decay to `floor` at `totalSteps`:
///
///     η(s) = peak · s / warmup                                        s < warmup
///     η(s) = floor + ½ (peak − floor)(1 + cos(π (s − warmup) / (total − warmup)))   otherwise
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public var peak: Float
    public var floor: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Float, floor: Float = 0, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.floor = floor
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// Learning rate for step `step` (counted from 0).
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        guard totalSteps > warmupSteps else { return peak }
        let progress = min(1, Double(step - warmupSteps) / Double(totalSteps - warmupSteps))
        return floor + (peak - floor) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}
