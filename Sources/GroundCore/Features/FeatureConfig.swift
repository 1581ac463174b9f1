/// Every parameter of the log-mel front end, in one value a model file records, so that features
/// at inference are computed exactly as in training.
public struct FeatureConfig: Codable, Sendable, Equatable {
    /// Audio is resampled to this rate before analysis.
    public var sampleRate = 16_000
    /// Analysis window length in samples (400 = 25 ms), Hann-windowed.
    public var windowLength = 400
    /// Hop between frames in samples (160 = 10 ms).
    public var hopLength = 160
    /// FFT size, a power of two ≥ `windowLength`; the window is zero-padded to it.
    public var fftSize = 512
    public var melBins = 80
    public var minFrequency = 0.0
    public var maxFrequency = 8_000.0
    /// Mel energies are floored here before the natural log, so silence gives ln(floor), not −∞.
    public var logFloor: Float = 1e-10

    public init() {}

    /// Frame j is centred on the middle of hop j, so it describes [j·hop, (j+1)·hop) samples and
    /// a signal of N samples has ceil(N / hop) frames.
    public func frameCount(sampleCount: Int) -> Int {
        (sampleCount + hopLength - 1) / hopLength
    }

    /// Seconds per feature frame (10 ms by default).
    public var frameDuration: Double { Double(hopLength) / Double(sampleRate) }

    /// Checks that the values describe a computable front end.
    public func validate() throws {
        func fail(_ why: String) -> GroundError { GroundError("invalid feature configuration: \(why)") }
        guard sampleRate > 0 else { throw fail("sampleRate must be positive") }
        guard hopLength > 0, windowLength >= hopLength else { throw fail("need 0 < hopLength ≤ windowLength") }
        guard fftSize >= windowLength, fftSize & (fftSize - 1) == 0, fftSize >= 4 else {
            throw fail("fftSize must be a power of two ≥ windowLength")
        }
        guard melBins > 0, melBins <= fftSize / 2 else { throw fail("melBins must be in 1...fftSize/2") }
        guard minFrequency >= 0, maxFrequency > minFrequency, maxFrequency <= Double(sampleRate) / 2 else {
            throw fail("need 0 ≤ minFrequency < maxFrequency ≤ sampleRate/2")
        }
        guard logFloor > 0 else { throw fail("logFloor must be positive") }
    }
}
