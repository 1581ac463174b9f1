import Foundation

/// Triangular filters on the Slaney mel scale (linear below 1 kHz, logarithmic above, as in
/// librosa's default and Whisper's front end), each normalised to unit area so that broadband
/// noise gives a flat mel spectrum.
///
///     mel(f) = 3f/200                          f < 1000 Hz
///            = 15 + 27·ln(f/1000)/ln(6.4)      f ≥ 1000 Hz
public struct MelFilterbank: Sendable {
    public let melBins: Int
    public let spectrumBins: Int
    /// Row-major (melBins × spectrumBins) weights.
    public let weights: [Float]
    /// Centre frequency of each filter in Hz.
    public let centerFrequencies: [Double]
    /// For each mel bin, the first and one-past-last spectrum bin with a non-zero weight.
    let support: [Range<Int>]

    public init(config: FeatureConfig) {
        let melBins = config.melBins, spectrumBins = config.fftSize / 2 + 1
        self.melBins = melBins
        self.spectrumBins = spectrumBins
        let lowMel = Self.mel(config.minFrequency), highMel = Self.mel(config.maxFrequency)
        let edgesMel = (0...(melBins + 1)).map { lowMel + Double($0) / Double(melBins + 1) * (highMel - lowMel) }
        let edges = edgesMel.map(Self.hertz)
        centerFrequencies = Array(edges[1...melBins])
        let binHz = Double(config.sampleRate) / Double(config.fftSize)
        var weights = [Float](repeating: 0, count: melBins * spectrumBins)
        var support: [Range<Int>] = []
        for m in 0..<melBins {
            let (lower, center, upper) = (edges[m], edges[m + 1], edges[m + 2])
            let areaNorm = 2 / (upper - lower)
            var first = spectrumBins, last = 0
            for k in 0..<spectrumBins {
                let f = Double(k) * binHz
                let rising = (f - lower) / (center - lower)
                let falling = (upper - f) / (upper - center)
                let w = max(0, min(rising, falling)) * areaNorm
                guard w > 0 else { continue }
                weights[m * spectrumBins + k] = Float(w)
                first = min(first, k)
                last = k + 1
            }
            support.append(first < last ? first..<last : 0..<0)
        }
        self.weights = weights
        self.support = support
    }

    public static func mel(_ hertz: Double) -> Double {
        hertz < 1000 ? 3 * hertz / 200 : 15 + 27 * log(hertz / 1000) / log(6.4)
    }

    public static func hertz(_ mel: Double) -> Double {
        mel < 15 ? 200 * mel / 3 : 1000 * exp((mel - 15) * log(6.4) / 27)
    }
}
