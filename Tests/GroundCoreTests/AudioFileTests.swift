import Foundation
import GroundCore
import XCTest

final class AudioFileTests: XCTestCase {
    /// Minimum signal-to-error ratio (dB) of each fixture, decoded to 16 kHz mono, against the
    /// 16 kHz master it was made from. Lossless same-rate files must match exactly; resampled
    /// ones differ by two resamplers' band edges near 8 kHz; lossy codecs by their coding noise,
    /// which at 32–40 kbit/s leaves 10–20 dB of waveform error but the same spectrum, and may
    /// shift the waveform by a fraction of a sample. The 8 kHz file has lost everything above 4 kHz.
    /// (Measured: 43 dB for the resampled PCM/FLAC files, 18 dB for 8 kHz, 20.6 dB Vorbis, 10.1 dB Opus.)
    static let fixtureTolerances: [(file: String, minimumSNR: Double, maximumLag: Int)] = [
        ("speech-16k-mono.aiff", .infinity, 0),
        ("speech-16k-6ch.wav", .infinity, 0),
        ("speech-44k1-stereo-pcm24.wav", 38, 0),
        ("speech-8k-mono-pcm32.wav", 15, 0),
        ("speech-48k-mono-float.wav", 38, 0),
        ("speech-22k05-mono.flac", 38, 0),
        ("speech-16k-mono.ogg", 16, 1),
        ("speech-48k-mono.opus", 7, 1),
    ]

    func testEveryFixtureFormatDecodesLikeItsOriginal() throws {
        let master = try AudioFile.load(path: Paths.fixture("speech-16k-mono.wav"))
        XCTAssertEqual(master.samples.count, 29_642)
        for (file, minimumSNR, maximumLag) in Self.fixtureTolerances {
            let decoded = try AudioFile.load(path: Paths.fixture(file))
            XCTAssertEqual(decoded.sampleRate, 16_000)
            XCTAssertEqual(decoded.samples.count, master.samples.count, accuracy: 1, file)
            let snr = TestSignal.snr(decoded.samples, reference: master.samples)
            if minimumSNR.isInfinite {
                XCTAssertEqual(decoded.samples, master.samples, file)
            } else {
                XCTAssertGreaterThan(snr, minimumSNR, file)
            }
            XCTAssertLessThanOrEqual(abs(bestLag(decoded.samples, master.samples)), maximumLag, "\(file) is shifted")
        }
    }

    /// Every format gives the master's log-mel picture: measured mean |Δ| ≤ 0.001 for the lossless
    /// files, 0.38 (Vorbis) and 0.32 (Opus) nats for the lossy ones.
    func testEveryFixtureGivesTheSameFeatures() throws {
        let extractor = try LogMelExtractor()
        let reference = try extractor.features(of: AudioFile.load(path: Paths.fixture("speech-16k-mono.wav")))
        for (file, _, _) in Self.fixtureTolerances {
            let features = try extractor.features(of: AudioFile.load(path: Paths.fixture(file)))
            let frames = min(features.frames, reference.frames)
            var difference = 0.0, count = 0
            for j in 0..<frames {
                for m in 0..<60 where reference[j, m] > -12 {  // speech-band bins with energy
                    difference += Double(abs(features[j, m] - reference[j, m]))
                    count += 1
                }
            }
            XCTAssertLessThan(difference / Double(count), 0.5, file)
        }
    }

    func testStereoIsMixedDownToTheMeanOfTheChannels() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let left = TestSignal.sine(frequency: 440, amplitude: 0.5, rate: 16_000, seconds: 0.5)
        let right = TestSignal.sine(frequency: 660, amplitude: 0.25, rate: 16_000, seconds: 0.5)
        let path = directory.appendingPathComponent("stereo.wav").path
        try AudioWriter.write(
            path: path, interleaved: zip(left, right).flatMap { [$0, $1] }, channels: 2, sampleRate: 16_000,
            encoding: .wavFloat)
        let mono = try AudioFile.load(path: path)
        XCTAssertEqual(mono.samples.count, left.count)
        for i in 0..<left.count {
            XCTAssertEqual(mono.samples[i], (left[i] + right[i]) / 2, accuracy: 1e-6)
        }
    }

    func testTonesFromFilesKeepFrequencyAndLevel() throws {
        for file in ["tone-1k-44k1.wav", "tone-1k-8k.wav"] {
            let audio = try AudioFile.load(path: Paths.fixture(file))
            XCTAssertEqual(audio.samples.count, 16_000)
            let amplitude = TestSignal.amplitude(of: audio.samples[3_000..<13_000], frequency: 1000, rate: 16_000)
            XCTAssertEqual(20 * log10(amplitude / 0.5), 0, accuracy: 0.1, file)
        }
    }

    func testBlockBoundariesDoNotMatter() throws {
        // Longer than one read block at 44.1 kHz, so the streaming path crosses several blocks.
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let signal = TestSignal.sine(frequency: 300, rate: 44_100, seconds: 4)
        let path = directory.appendingPathComponent("long.wav").path
        try AudioWriter.write(path: path, interleaved: signal, sampleRate: 44_100, encoding: .wavFloat)
        let loaded = try AudioFile.load(path: path)
        XCTAssertEqual(loaded.samples, Resampler.resample(signal, from: 44_100, to: 16_000))
    }

    func testTrimmingWindow() throws {
        let path = Paths.fixture("speech-16k-mono.wav")
        let whole = try AudioFile.load(path: path)
        let part = try AudioFile.load(path: path, start: 0.5, end: 1.0)
        XCTAssertEqual(part.samples, Array(whole.samples[8_000..<16_000]))
        XCTAssertThrowsError(try AudioFile.load(path: path, start: 5)) { error in
            XCTAssertTrue("\(error)".contains("nothing left after trimming"), "\(error)")
        }
    }

    func testErrorsNameTheFileAndTheProblem() {
        let cases: [(String, String)] = [
            (Paths.fixture("missing.wav"), "no such file"),
            (Paths.fixture("not-audio.wav"), "not a readable audio file"),
            (Paths.fixture("truncated.wav"), "not a readable audio file"),
            (Paths.fixture("empty.wav"), "contains no audio samples"),
            (Paths.fixtures.path, "is a directory"),
        ]
        for (path, problem) in cases {
            XCTAssertThrowsError(try AudioFile.load(path: path)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix(path + ": "), message)
                XCTAssertTrue(message.contains(problem), message)
            }
        }
    }

    func testAbsurdSampleRatesAreRejected() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for rate: UInt32 in [1, 50_000_000] {
            let path = directory.appendingPathComponent("rate-\(rate).wav").path
            try WAVBytes.pcm16(samples: [Int16](repeating: 100, count: 1_000), sampleRate: rate).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try AudioFile.load(path: path)) { error in
                XCTAssertTrue("\(error)".contains("sample rate \(rate) Hz is outside"), "\(error)")
            }
        }
    }

    private func bestLag(_ a: [Float], _ b: [Float]) -> Int {
        let n = min(a.count, b.count)
        return (-20...20).max { lagCorrelation(a, b, $0, n) < lagCorrelation(a, b, $1, n) }!
    }

    private func lagCorrelation(_ a: [Float], _ b: [Float], _ lag: Int, _ n: Int) -> Double {
        var sum = 0.0
        for i in max(0, -lag)..<min(n, n - lag) { sum += Double(a[i + lag]) * Double(b[i]) }
        return sum
    }
}

/// Hand-made WAV files, for headers no encoder would write.
enum WAVBytes {
    static func pcm16(samples: [Int16], sampleRate: UInt32, channels: UInt16 = 1) -> Data {
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        let payload = UInt32(samples.count * 2)
        data.append(contentsOf: Array("RIFF".utf8)); append(36 + payload)
        data.append(contentsOf: Array("WAVEfmt ".utf8)); append(UInt32(16)); append(UInt16(1)); append(channels)
        append(sampleRate); append(sampleRate * UInt32(channels) * 2); append(channels * 2); append(UInt16(16))
        data.append(contentsOf: Array("data".utf8)); append(payload)
        for sample in samples { append(sample) }
        return data
    }
}
