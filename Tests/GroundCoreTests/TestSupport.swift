import Foundation
import GroundCore
import XCTest

/// Signals and measurements shared by the audio and feature tests.
enum TestSignal {
    static func sine(frequency: Double, amplitude: Double = 0.5, rate: Int, seconds: Double) -> [Float] {
        (0..<Int(seconds * Double(rate))).map {
            Float(amplitude * sin(2 * Double.pi * frequency * Double($0) / Double(rate)))
        }
    }

    /// Amplitude of the `frequency` component by least squares on sin/cos (exact for a pure tone
    /// with a whole number of samples, unlike an FFT bin).
    static func amplitude(of signal: ArraySlice<Float>, frequency: Double, rate: Int) -> Double {
        var s = 0.0, c = 0.0, ss = 0.0, cc = 0.0, sc = 0.0
        for (offset, x) in signal.enumerated() {
            let phase = 2 * Double.pi * frequency * Double(signal.startIndex + offset) / Double(rate)
            let (sv, cv) = (sin(phase), cos(phase))
            s += Double(x) * sv
            c += Double(x) * cv
            ss += sv * sv
            cc += cv * cv
            sc += sv * cv
        }
        let det = ss * cc - sc * sc
        let a = (s * cc - c * sc) / det, b = (c * ss - s * sc) / det
        return (a * a + b * b).squareRoot()
    }

    /// Power spectrum (n/2 + 1 bins) of `count` samples from the middle of `signal` under a
    /// 4-term Blackman–Harris window (side lobes below −92 dB).
    static func spectrum(_ signal: [Float], count: Int) -> [Double] {
        let start = (signal.count - count) / 2
        let windowed: [Float] = (0..<count).map { i in
            let x = 2 * Double.pi * Double(i) / Double(count)
            let w = 0.35875 - 0.48829 * cos(x) + 0.14128 * cos(2 * x) - 0.01168 * cos(3 * x)
            return Float(w) * signal[start + i]
        }
        var power = [Float](repeating: 0, count: count / 2 + 1)
        let fft = RealFFT(size: count)
        windowed.withUnsafeBufferPointer { x in power.withUnsafeMutableBufferPointer { fft.powerSpectrum(x.baseAddress!, into: $0.baseAddress!) } }
        return power.map(Double.init)
    }

    static func decibels(_ ratio: Double) -> Double { 10 * log10(ratio) }

    /// Signal-to-error ratio in dB of `test` against `reference` over their common length,
    /// ignoring `margin` samples at each end.
    static func snr(_ test: [Float], reference: [Float], margin: Int = 0) -> Double {
        let n = min(test.count, reference.count) - margin
        var signal = 0.0, error = 0.0
        for i in margin..<n {
            signal += Double(reference[i]) * Double(reference[i])
            error += Double(test[i] - reference[i]) * Double(test[i] - reference[i])
        }
        return decibels(signal / max(error, 1e-30))
    }
}

enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Fixtures")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ground-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension SplitMix64 {
    /// Uniform in [lo, hi) with 24 random bits.
    mutating func float(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(next() >> 40) * 0x1p-24
    }

    mutating func floats(_ count: Int, _ lo: Float = -1, _ hi: Float = 1) -> [Float] {
        (0..<count).map { _ in float(lo, hi) }
    }
}
