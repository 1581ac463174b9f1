/// The paper's metrics (§3.3): the share of predicted times within 20, 40 and 100 ms of the
/// reference, and the mean absolute deviation in seconds.
public struct TimingMetrics: Sendable, Equatable {
    public private(set) var count = 0
    public private(set) var within20 = 0
    public private(set) var within40 = 0
    public private(set) var within100 = 0
    public private(set) var absoluteErrorSum = 0.0

    public init() {}

    public mutating func add(predicted: Double, reference: Double) {
        let error = abs(predicted - reference)
        count += 1
        // A hair of tolerance so that times rounded to milliseconds count on the boundary.
        if error <= 0.020 + 1e-9 { within20 += 1 }
        if error <= 0.040 + 1e-9 { within40 += 1 }
        if error <= 0.100 + 1e-9 { within100 += 1 }
        absoluteErrorSum += error
    }

    public mutating func merge(_ other: TimingMetrics) {
        count += other.count
        within20 += other.within20
        within40 += other.within40
        within100 += other.within100
        absoluteErrorSum += other.absoluteErrorSum
    }

    public var share20: Double { share(within20) }
    public var share40: Double { share(within40) }
    public var share100: Double { share(within100) }
    /// Mean absolute deviation in seconds.
    public var meanAbsoluteDeviation: Double { count == 0 ? 0 : absoluteErrorSum / Double(count) }

    private func share(_ n: Int) -> Double { count == 0 ? 0 : Double(n) / Double(count) }
}
