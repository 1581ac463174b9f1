import Foundation
import GroundCore
import XCTest

final class ResamplerTests: XCTestCase {
    /// A 1 kHz tone keeps its frequency (spectral peak) and amplitude (within 0.1 dB).
    func testSineKeepsFrequencyAndAmplitude() {
        for inputRate in [44_100, 8_000, 22_050, 48_000] {
            let input = TestSignal.sine(frequency: 1000, amplitude: 0.5, rate: inputRate, seconds: 1.5)
            let output = Resampler.resample(input, from: inputRate, to: 16_000)
            XCTAssertEqual(output.count, Int((Double(input.count) * 16_000 / Double(inputRate)).rounded(.up)))
            let spectrum = TestSignal.spectrum(output, count: 16_384)
            let peak = spectrum.indices.max { spectrum[$0] < spectrum[$1] }!
            XCTAssertEqual(Double(peak) * 16_000 / 16_384, 1000, accuracy: 1, "peak moved at \(inputRate) Hz")
            let middle = output[4_000..<20_000]
            let amplitude = TestSignal.amplitude(of: middle, frequency: 1000, rate: 16_000)
            XCTAssertEqual(20 * log10(amplitude / 0.5), 0, accuracy: 0.1, "gain at \(inputRate) Hz")
        }
    }

    /// A 7.5 kHz tone (inside the new 8 kHz band) leaves nothing else above −60 dB, and a
    /// 10 kHz tone (above it) is removed rather than folded to 6 kHz.
    func testAliasingBelowMinus60dB() {
        let input = TestSignal.sine(frequency: 7_500, rate: 44_100, seconds: 2)
        let spectrum = TestSignal.spectrum(Resampler.resample(input, from: 44_100, to: 16_000), count: 16_384)
        let toneBin = Int((7_500.0 / 16_000 * 16_384).rounded())
        let tone = spectrum[(toneBin - 8)...(toneBin + 8)].max()!
        let spurs = spectrum.indices.filter { abs($0 - toneBin) > 8 }.map { spectrum[$0] }.max()!
        XCTAssertLessThan(TestSignal.decibels(spurs / tone), -60)

        let above = TestSignal.sine(frequency: 10_000, rate: 44_100, seconds: 2)
        let folded = Resampler.resample(above, from: 44_100, to: 16_000)
        let residual = TestSignal.amplitude(of: folded[4_000..<28_000], frequency: 6_000, rate: 16_000)
        XCTAssertLessThan(20 * log10(residual / 0.5), -60)
    }

    /// An impulse stays at the same time: timestamps depend on the resampler adding no delay.
    func testNoDelay() {
        for inputRate in [44_100, 8_000, 48_000, 11_025] {
            var input = [Float](repeating: 0, count: inputRate)
            input[inputRate / 2] = 1
            let output = Resampler.resample(input, from: inputRate, to: 16_000)
            let peak = output.indices.max { output[$0] < output[$1] }!
            let expected = Int((Double(inputRate / 2) * 16_000 / Double(inputRate)).rounded())
            XCTAssertEqual(peak, expected, "delay at \(inputRate) Hz")
        }
    }

    /// Blocks of any size give exactly the samples of one call.
    func testStreamingMatchesOneShot() {
        var generator = SplitMix64(seed: 7)
        let input = (0..<30_000).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
        let whole = Resampler.resample(input, from: 44_100, to: 16_000)
        var resampler = Resampler(inputRate: 44_100, outputRate: 16_000)
        var streamed: [Float] = []
        var start = 0
        while start < input.count {
            let size = min(input.count - start, 1 + Int(generator.next() % 5_000))
            input[start..<(start + size)].withUnsafeBufferPointer { resampler.process($0, into: &streamed) }
            start += size
        }
        resampler.finish(into: &streamed)
        XCTAssertEqual(streamed, whole)
    }

    /// Rates whose ratio has a huge numerator use rounded phases and still keep the tone.
    func testOddRateUsesRoundedPhases() {
        let input = TestSignal.sine(frequency: 1000, rate: 44_101, seconds: 1)
        let output = Resampler.resample(input, from: 44_101, to: 16_000)
        let amplitude = TestSignal.amplitude(of: output[3_000..<13_000], frequency: 1000, rate: 16_000)
        XCTAssertEqual(20 * log10(amplitude / 0.5), 0, accuracy: 0.1)
    }

    func testSameRateIsIdentity() {
        let input = TestSignal.sine(frequency: 440, rate: 16_000, seconds: 0.1)
        XCTAssertEqual(Resampler.resample(input, from: 16_000, to: 16_000), input)
    }
}
