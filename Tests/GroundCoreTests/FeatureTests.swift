import Foundation
import GroundCore
import XCTest

final class FeatureTests: XCTestCase {
    /// The real FFT's power spectrum equals a direct DFT's.
    func testFFTMatchesDirectDFT() {
        var generator = SplitMix64(seed: 3)
        for size in [4, 16, 512] {
            let x = (0..<size).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
            var power = [Float](repeating: 0, count: size / 2 + 1)
            x.withUnsafeBufferPointer { input in
                power.withUnsafeMutableBufferPointer { RealFFT(size: size).powerSpectrum(input.baseAddress!, into: $0.baseAddress!) }
            }
            for k in 0...(size / 2) {
                var re = 0.0, im = 0.0
                for (n, value) in x.enumerated() {
                    let angle = -2 * Double.pi * Double(k * n) / Double(size)
                    re += Double(value) * cos(angle)
                    im += Double(value) * sin(angle)
                }
                XCTAssertEqual(Double(power[k]), re * re + im * im, accuracy: 1e-3 * max(1, re * re + im * im))
            }
        }
    }

    /// A pure tone's energy lands in the mel filter whose centre is nearest to it.
    func testToneLandsInExpectedMelBin() throws {
        let extractor = try LogMelExtractor()
        let centers = extractor.filterbank.centerFrequencies
        for frequency in [250.0, 1_000, 2_500, 6_000] {
            let features = extractor.features(of: TestSignal.sine(frequency: frequency, rate: 16_000, seconds: 0.5))
            let row = Array(features.row(features.frames / 2))
            let loudest = row.indices.max { row[$0] < row[$1] }!
            let nearest = centers.indices.min { abs(centers[$0] - frequency) < abs(centers[$1] - frequency) }!
            XCTAssertLessThanOrEqual(abs(loudest - nearest), 1, "\(frequency) Hz went to bin \(loudest)")
            XCTAssertGreaterThan(row[loudest] - row[(loudest + 20) % row.count], 5, "tone not above its surroundings")
        }
    }

    /// Frames are ceil(samples / hop): frame j describes [10 j, 10 (j+1)) ms.
    func testFrameCountForDuration() throws {
        let extractor = try LogMelExtractor()
        for (samples, frames) in [(16_000, 100), (16_080, 101), (16_159, 101), (1, 1), (160, 1), (161, 2), (0, 0)] {
            let features = extractor.features(of: [Float](repeating: 0.1, count: samples))
            XCTAssertEqual(features.frames, frames, "\(samples) samples")
            XCTAssertEqual(features.values.count, frames * 80)
        }
    }

    /// Silence gives ln(floor), not −∞ or NaN.
    func testSilenceIsFloored() throws {
        let extractor = try LogMelExtractor()
        let features = extractor.features(of: [Float](repeating: 0, count: 1_600))
        XCTAssertTrue(features.values.allSatisfy { $0 == log(Float(1e-10)) })
    }

    /// Thread count changes nothing.
    func testThreadsGiveIdenticalFeatures() throws {
        let extractor = try LogMelExtractor()
        var generator = SplitMix64(seed: 11)
        let signal = (0..<48_000).map { _ in Float(generator.nextUnitDouble() - 0.5) }
        XCTAssertEqual(extractor.features(of: signal, threads: 1), extractor.features(of: signal, threads: 2))
    }

    /// A tone burst shows up in the frames that cover it, not earlier or later.
    func testFramesAreAlignedInTime() throws {
        let extractor = try LogMelExtractor()
        var signal = [Float](repeating: 0, count: 16_000)
        for i in 8_000..<8_800 { signal[i] = Float(0.5 * sin(2 * Double.pi * 1_000 * Double(i) / 16_000)) }
        let features = extractor.features(of: signal)
        let energy = (0..<features.frames).map { features.row($0).reduce(0, +) }
        let loud = energy.indices.filter { energy[$0] > energy[0] + 100 }
        // The burst covers [500, 550) ms; a 25 ms window centred on frame j's middle reaches ±12.5 ms.
        XCTAssertEqual(loud.first, 49)
        XCTAssertEqual(loud.last, 55)
    }

    func testInvalidConfigurationIsRejected() {
        var config = FeatureConfig()
        config.fftSize = 300
        XCTAssertThrowsError(try LogMelExtractor(config: config))
        config = FeatureConfig()
        config.maxFrequency = 9_000
        XCTAssertThrowsError(try LogMelExtractor(config: config))
    }

    func testTextNormalizer() {
        XCTAssertEqual(TextNormalizer.words("  How MUCH wood?! "), ["how", "much", "wood"])
        XCTAssertEqual(TextNormalizer.words("Don’t stop—it's 'café' time"), ["don't", "stop", "it's", "cafe", "time"])
        XCTAssertEqual(TextNormalizer.words("rock-and-roll 1984"), ["rock", "and", "roll", "1984"])
        XCTAssertEqual(TextNormalizer.words("?!"), [])
    }
}
