import Foundation

/// Band-limited sample-rate conversion by a Kaiser-windowed sinc, evaluated as a polyphase filter.
///
/// For input rate f_in and output rate f_out, output sample m sits at input position
/// p_m = m · f_in / f_out and is
///
///     y[m] = Σ_i x[i] · h(p_m − i),   h(u) = 2ν · sinc(2ν u) · w_Kaiser(u / W),   |u| < W,
///
/// where ν = f_c / f_in is the cutoff in cycles per input sample and W the half-width in input
/// samples. The cutoff sits half a transition band below the lower of the two Nyquist
/// frequencies, so the stop band starts exactly at that Nyquist frequency and nothing above it
/// folds back. With f_out/f_in = L/M in lowest terms, p_m has only L distinct fractional parts, so
/// the taps for each phase are tabulated once (for L > `maxPhases` the phase is rounded to one of
/// `maxPhases` steps, a timing error below 1/(2·maxPhases) input sample). Each phase's taps are
/// normalised to sum to 1, giving exact unity gain at DC.
///
/// Streaming: `process` can be fed blocks of any size; `finish` flushes the tail, treating samples
/// beyond the end as zeros. The output has ceil(N · f_out / f_in) samples, aligned so that output
/// sample m is the signal at time m / f_out.
public struct Resampler {
    /// Design parameters. Defaults: 64 zero crossings of the lower rate on each side and ~100 dB
    /// stop-band attenuation give a transition band of about 5 % of the lower rate
    /// (Kaiser: Δf ≈ (A − 7.95) / (14.36 · taps) · f).
    public struct Design: Sendable, Equatable {
        public var zeroCrossings = 64
        public var stopbandAttenuationDB = 100.0
        public var maxPhases = 4096
        public init() {}
    }

    public let inputRate: Int
    public let outputRate: Int
    private let upFactor: Int  // L
    private let downFactor: Int  // M
    private let phaseCount: Int
    private let tapCount: Int  // a multiple of 16, trailing taps zero
    private let halfWidth: Int  // W', the first tap reads input index base − W' + 1
    private var taps: [Float]  // phaseCount × tapCount
    /// Input samples not yet consumed; `pending[0]` is input index `pendingStart`.
    private var pending: [Float] = []
    private var pendingStart = 0
    private var inputCount = 0
    private var producedCount = 0

    public init(inputRate: Int, outputRate: Int, design: Design = Design()) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive")
        self.inputRate = inputRate
        self.outputRate = outputRate
        let divisor = Self.gcd(inputRate, outputRate)
        upFactor = outputRate / divisor
        downFactor = inputRate / divisor
        guard inputRate != outputRate else {
            phaseCount = 1
            tapCount = 0
            halfWidth = 0
            taps = []
            return
        }
        let lowerRate = Double(min(inputRate, outputRate))
        let fin = Double(inputRate)
        let attenuation = design.stopbandAttenuationDB
        // Half-width in input samples: `zeroCrossings` periods of the lower rate's Nyquist sinc.
        let width = Double(design.zeroCrossings) * fin / lowerRate
        let transition = (attenuation - 7.95) / (14.36 * 2 * width) * fin
        let cutoff = (lowerRate / 2 - transition / 2) / fin
        let beta = Self.kaiserBeta(attenuationDB: attenuation)
        halfWidth = Int(width.rounded(.up))
        tapCount = (2 * halfWidth + 15) / 16 * 16
        phaseCount = min(upFactor, design.maxPhases)
        taps = [Float](repeating: 0, count: phaseCount * tapCount)
        let besselNorm = Self.besselI0(beta)
        for phase in 0..<phaseCount {
            let fraction = Double(phase) / Double(phaseCount)
            var row = [Double](repeating: 0, count: tapCount)
            for j in 0..<(2 * halfWidth) {
                let u = fraction + Double(halfWidth - 1 - j)  // p − i
                guard abs(u) < width else { continue }
                let r = u / width
                let window = Self.besselI0(beta * (1 - r * r).squareRoot()) / besselNorm
                row[j] = 2 * cutoff * Self.sinc(2 * cutoff * u) * window
            }
            let sum = row.reduce(0, +)
            for j in 0..<tapCount { taps[phase * tapCount + j] = Float(row[j] / sum) }
        }
        // Virtual zeros before the first sample, so output 0 sees a full window.
        pending = [Float](repeating: 0, count: halfWidth - 1)
        pendingStart = -(halfWidth - 1)
    }

    /// Number of output samples produced for `count` input samples: ceil(count · L / M).
    public func outputCount(forInputCount count: Int) -> Int {
        (count * upFactor + downFactor - 1) / downFactor
    }

    /// Converts a whole signal at once.
    public static func resample(_ samples: [Float], from inputRate: Int, to outputRate: Int) -> [Float] {
        var resampler = Resampler(inputRate: inputRate, outputRate: outputRate)
        var output: [Float] = []
        output.reserveCapacity(resampler.outputCount(forInputCount: samples.count))
        samples.withUnsafeBufferPointer { resampler.process($0, into: &output) }
        resampler.finish(into: &output)
        return output
    }

    /// Appends every output sample whose window lies within the input seen so far.
    public mutating func process(_ input: UnsafeBufferPointer<Float>, into output: inout [Float]) {
        inputCount += input.count
        guard tapCount > 0 else {
            output.append(contentsOf: input)
            producedCount += input.count
            return
        }
        pending.append(contentsOf: input)
        produce(into: &output)
    }

    /// Flushes the remaining outputs, treating the input beyond its end as silence.
    public mutating func finish(into output: inout [Float]) {
        guard tapCount > 0 else { return }
        let target = outputCount(forInputCount: inputCount)
        pending.append(contentsOf: repeatElement(0, count: tapCount + halfWidth))
        produce(into: &output, limit: target)
    }

    // MARK: - Internals

    private mutating func produce(into output: inout [Float], limit: Int = .max) {
        let pendingEnd = pendingStart + pending.count
        let taps = self.taps
        pending.withUnsafeBufferPointer { buffer in
            taps.withUnsafeBufferPointer { table in
                while producedCount < limit {
                    // p_m = m·M/L: integer part `base`, fractional part `remainder / L`.
                    let position = producedCount * downFactor
                    var base = position / upFactor
                    let remainder = position % upFactor
                    var phase =
                        phaseCount == upFactor ? remainder : (remainder * phaseCount + upFactor / 2) / upFactor
                    if phase == phaseCount { phase = 0; base += 1 }
                    let first = base - halfWidth + 1
                    guard base + halfWidth < pendingEnd,
                        first + tapCount <= pendingEnd
                    else { break }
                    let x = buffer.baseAddress! + (first - pendingStart)
                    let h = table.baseAddress! + phase * tapCount
                    output.append(Self.dot(x, h, count: tapCount))
                    producedCount += 1
                }
            }
        }
        // Drop input that no future output reads; compact only when it pays.
        let nextBase = producedCount * downFactor / upFactor
        let consumed = max(0, min(pending.count, nextBase - halfWidth - pendingStart))
        if consumed > 0, consumed * 2 >= pending.count {
            pending.removeFirst(consumed)
            pendingStart += consumed
        }
    }

    /// Σ x[j]·h[j] for a multiple of 16 elements, in SIMD16 lanes.
    @inline(__always)
    private static func dot(_ x: UnsafePointer<Float>, _ h: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        var j = 0
        while j < count {
            let xv = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD16<Float>.self)
            let hv = UnsafeRawPointer(h + j).loadUnaligned(as: SIMD16<Float>.self)
            acc.addProduct(xv, hv)
            j &+= 16
        }
        return acc.sum()
    }

    private static func sinc(_ x: Double) -> Double {
        x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
    }

    /// Kaiser's empirical β for a given stop-band attenuation in dB.
    private static func kaiserBeta(attenuationDB a: Double) -> Double {
        if a > 50 { return 0.1102 * (a - 8.7) }
        if a >= 21 { return 0.5842 * pow(a - 21, 0.4) + 0.07886 * (a - 21) }
        return 0
    }

    /// Modified Bessel function of the first kind, order 0, by its power series.
    private static func besselI0(_ x: Double) -> Double {
        var sum = 1.0
        var term = 1.0
        let half = x / 2
        for k in 1..<200 {
            term *= (half / Double(k)) * (half / Double(k))
            sum += term
            if term < sum * 1e-17 { break }
        }
        return sum
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
