import Foundation

/// Log-mel features: frame j is the Hann-windowed `windowLength` samples centred on the middle of
/// hop j (zeros outside the signal), zero-padded to `fftSize`, as
///
///     F[j, m] = ln(max(floor, Σ_k W[m, k] · |X_j[k]|²)).
///
/// Frames are independent, so `threads > 1` splits them into contiguous runs with identical
/// results for any thread count.
public struct LogMelExtractor: Sendable {
    public let config: FeatureConfig
    public let filterbank: MelFilterbank
    private let window: [Float]

    public init(config: FeatureConfig = FeatureConfig()) throws {
        try config.validate()
        self.config = config
        filterbank = MelFilterbank(config: config)
        // Periodic Hann, the STFT convention: the windows overlap-add to a constant.
        window = (0..<config.windowLength).map {
            Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(config.windowLength)))
        }
    }

    /// Features of `audio`, which must be at `config.sampleRate`.
    public func features(of audio: Audio, threads: Int = 1) throws -> FeatureMatrix {
        guard audio.sampleRate == config.sampleRate else {
            throw GroundError("features need \(config.sampleRate) Hz audio, got \(audio.sampleRate) Hz")
        }
        return features(of: audio.samples, threads: threads)
    }

    public func features(of samples: [Float], threads: Int = 1) -> FeatureMatrix {
        let frames = config.frameCount(sampleCount: samples.count)
        var values = [Float](repeating: 0, count: frames * config.melBins)
        let runs = max(1, min(threads, frames / 64))
        samples.withUnsafeBufferPointer { signal in
            values.withUnsafeMutableBufferPointer { out in
                let outBase = out.baseAddress!
                let compute = { (run: Int) in
                    let range = (frames * run / runs)..<(frames * (run + 1) / runs)
                    self.compute(frames: range, signal: signal, into: outBase)
                }
                if runs == 1 { compute(0) } else { DispatchQueue.concurrentPerform(iterations: runs, execute: compute) }
            }
        }
        return FeatureMatrix(values: values, frames: frames, bins: config.melBins)
    }

    private func compute(frames: Range<Int>, signal: UnsafeBufferPointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let fft = RealFFT(size: config.fftSize)
        let n = config.fftSize, win = config.windowLength, hop = config.hopLength
        let bins = config.melBins, spectrumBins = filterbank.spectrumBins
        let offset = hop / 2 - win / 2  // first sample of frame 0's window
        var frame = [Float](repeating: 0, count: n)
        var power = [Float](repeating: 0, count: spectrumBins)
        let floor = config.logFloor
        window.withUnsafeBufferPointer { w in
            filterbank.weights.withUnsafeBufferPointer { weights in
                frame.withUnsafeMutableBufferPointer { frameBuf in
                    power.withUnsafeMutableBufferPointer { powerBuf in
                        let x = frameBuf.baseAddress!, p = powerBuf.baseAddress!
                        for j in frames {
                            let start = j &* hop &+ offset
                            for i in 0..<win {
                                let s = start &+ i
                                x[i] = s >= 0 && s < signal.count ? signal[s] * w[i] : 0
                            }
                            fft.powerSpectrum(x, into: p)
                            let row = out + j &* bins
                            for m in 0..<bins {
                                var sum: Float = 0
                                let weightRow = weights.baseAddress! + m &* spectrumBins
                                for k in filterbank.support[m] { sum += weightRow[k] * p[k] }
                                row[m] = Foundation.log(Swift.max(sum, floor))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A row-major (frames × bins) matrix of features.
public struct FeatureMatrix: Sendable, Equatable {
    public var values: [Float]
    public var frames: Int
    public var bins: Int

    public init(values: [Float], frames: Int, bins: Int) {
        precondition(values.count == frames * bins)
        self.values = values
        self.frames = frames
        self.bins = bins
    }

    public subscript(frame: Int, bin: Int) -> Float { values[frame * bins + bin] }

    public func row(_ frame: Int) -> ArraySlice<Float> { values[(frame * bins)..<((frame + 1) * bins)] }
}
