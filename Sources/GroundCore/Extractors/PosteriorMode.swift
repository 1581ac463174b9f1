import Foundation

/// Timestamps from a Poisson head by the posterior mode of each order statistic (paper eqs. 6–8).
///
/// With H_k = λ_0 + … + λ_k (H_{−1} = 0) and Λ = H_{T−1}, the i-th of n events has density
///
///     log p(t) = (i − 1) log Λ(t) + (n − i) log(Λ − Λ(t)) + log λ(t),   t ∈ [0, T] (frame units),
///
/// where Λ(t) is piecewise linear. Inside frame k, log λ(t) = log λ_k is constant and the Beta term
/// f(z) = (i−1) log z + (n−i) log(Λ − z) is concave in z = Λ(t) with its peak at
/// z* = (i−1)/(n−1) · Λ, so the best point of frame k is z = clamp(z*, H_{k−1}, H_k) and
/// t = k + (z − H_{k−1}) / λ_k: a sub-frame timestamp. The answer is the best frame's best point.
///
/// Speed: frames are visited outwards from the one holding z*. Since f falls monotonically away
/// from z*, a frame (or a block of 64) can be skipped when (max log λ in it) + f(its edge nearest
/// z*) is below the best value so far, and the search in a direction stops when even the global
/// maximum of log λ could not beat it. For n = 1 the density is flat inside a frame (f ≡ 0): the
/// answer is the centre of the frame with the largest λ.
public struct PosteriorMode {
    public let frames: Int
    /// Λ(T) = Σ λ_k in the head's own units: the expected number of events.
    public let expectedCount: Double
    private let logIntensity: [Double]
    /// Cumulative intensities of λ_k / λ_max, H[k + 1] = Σ_{j ≤ k}; H[0] = 0 (scaling by a constant
    /// shifts log p by a constant, so modes are unchanged and nothing overflows).
    private let cumulative: [Double]
    private let logScale: Double
    private let blockMax: [Double]
    private let globalMax: Double
    static let blockSize = 64

    /// - Parameter logIntensity: log λ_k for k = 0..<frames, read with `stride`.
    public init(logIntensity: UnsafePointer<Float>, frames: Int, stride: Int = 1) {
        precondition(frames > 0, "need at least one frame")
        self.frames = frames
        var logs = [Double](repeating: 0, count: frames)
        for k in 0..<frames { logs[k] = Double(logIntensity[k &* stride]) }
        let maximum = logs.max()!
        var cumulative = [Double](repeating: 0, count: frames + 1)
        for k in 0..<frames { cumulative[k + 1] = cumulative[k] + exp(logs[k] - maximum) }
        self.logIntensity = logs
        self.cumulative = cumulative
        logScale = maximum
        globalMax = maximum
        expectedCount = cumulative[frames] * exp(maximum)
        blockMax = Swift.stride(from: 0, to: frames, by: Self.blockSize).map { start in
            logs[start..<min(frames, start + Self.blockSize)].max()!
        }
    }

    public init(logIntensity: [Float]) {
        self = logIntensity.withUnsafeBufferPointer { PosteriorMode(logIntensity: $0.baseAddress!, frames: $0.count) }
    }

    /// The mode of the i-th of n events (1 ≤ i ≤ n), in frame units, restricted to t ≥ `notBefore`.
    public func mode(event i: Int, of n: Int, notBefore: Double = 0) -> Double {
        precondition(n >= 1 && i >= 1 && i <= n)
        if n == 1 && notBefore <= 0 {
            let best = logIntensity.indices.max { logIntensity[$0] < logIntensity[$1] }!
            return Double(best) + 0.5
        }
        let total = cumulative[frames]
        let zStar = n == 1 ? 0 : Double(i - 1) / Double(n - 1) * total
        let a = Double(i - 1), b = Double(n - i)
        func beta(_ z: Double) -> Double {
            (a > 0 ? a * log(z) : 0) + (b > 0 ? b * log(max(total - z, 0)) : 0)
        }
        // Frame k spans z ∈ [cumulative[k], cumulative[k + 1]]; a lower time bound raises the left end.
        let firstFrame = min(frames - 1, max(0, Int(notBefore.rounded(.down))))
        func lowerZ(_ k: Int) -> Double {
            k == firstFrame && notBefore > Double(k)
                ? cumulative[k] + (notBefore - Double(k)) * (cumulative[k + 1] - cumulative[k]) : cumulative[k]
        }
        var bestValue = -Double.infinity
        var bestTime = max(notBefore, Double(firstFrame) + 0.5)
        func visit(_ k: Int) {
            let lo = lowerZ(k), hi = cumulative[k + 1]
            let z = min(max(zStar, lo), hi)
            let value = logIntensity[k] + beta(z)
            if value > bestValue {
                bestValue = value
                let width = hi - cumulative[k]
                let from = k == firstFrame ? max(notBefore, Double(k)) : Double(k)
                if n == 1 || width <= 0 {
                    bestTime = (from + Double(k + 1)) / 2  // flat density: the middle of what is allowed
                } else {
                    bestTime = Double(k) + (z - cumulative[k]) / width
                }
            }
        }
        // Start at the frame holding z* (first frame whose upper edge reaches it).
        var start = firstFrame
        do {
            var lo = firstFrame, hi = frames - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid + 1] < zStar { lo = mid + 1 } else { hi = mid }
            }
            start = lo
        }
        visit(start)
        // Left: f at a frame's upper edge bounds the frame; blocks of 64 share a bound.
        var k = start - 1
        while k >= firstFrame {
            let edge = beta(min(cumulative[k + 1], zStar))
            if globalMax + edge < bestValue { break }
            let block = k / Self.blockSize
            let blockStart = max(firstFrame, block * Self.blockSize)
            if blockMax[block] + edge < bestValue {
                k = blockStart - 1
                continue
            }
            visit(k)
            k -= 1
        }
        k = start + 1
        while k < frames {
            let edge = beta(max(lowerZ(k), zStar))
            if globalMax + edge < bestValue { break }
            let block = k / Self.blockSize
            if blockMax[block] + edge < bestValue {
                k = min(frames, (block + 1) * Self.blockSize)
                continue
            }
            visit(k)
            k += 1
        }
        return bestTime
    }

    /// log p(t) of the i-th of n events at time t (frame units), up to a constant: for checks.
    /// At a knot t = k the intensity jumps; the density there is taken as the larger of its two
    /// one-sided limits (its upper-semicontinuous envelope), since a mode on a knot is the supremum
    /// approached from the better side.
    public func logDensity(_ t: Double, event i: Int, of n: Int) -> Double {
        let k = min(frames - 1, max(0, Int(t.rounded(.down))))
        let z = cumulative[k] + (t - Double(k)) * (cumulative[k + 1] - cumulative[k])
        let total = cumulative[frames]
        let a = Double(i - 1), b = Double(n - i)
        let beta = (a > 0 ? a * log(z) : 0) + (b > 0 ? b * log(max(total - z, 0)) : 0)
        let left = t == Double(k) && k > 0 ? logIntensity[k - 1] : -Double.infinity
        return max(logIntensity[k], left) + beta
    }

    /// Confidence of a timestamp: the posterior probability that the i-th event lies within
    /// ±`radius` frames of `t`. Under time rescaling z = Λ(t)/Λ ~ Beta(i, n − i + 1), so this is
    /// I_{Λ(t+r)/Λ}(i, n−i+1) − I_{Λ(t−r)/Λ}(i, n−i+1) with I the regularised incomplete beta.
    public func confidence(at t: Double, event i: Int, of n: Int, radius: Double = 1) -> Double {
        let total = cumulative[frames]
        let upper = rescaled(min(Double(frames), t + radius)) / total
        let lower = rescaled(max(0, t - radius)) / total
        return max(0, min(1, IncompleteBeta.regularized(upper, i, n - i + 1) - IncompleteBeta.regularized(lower, i, n - i + 1)))
    }

    /// Λ(t) in the scaled units of `cumulative`.
    private func rescaled(_ t: Double) -> Double {
        let k = min(frames - 1, max(0, Int(t.rounded(.down))))
        return cumulative[k] + (t - Double(k)) * (cumulative[k + 1] - cumulative[k])
    }
}
