import Foundation

/// Speed and memory of the audio front end on a long file: decoding + mixdown + resampling, then
/// log-mel features, each reported as seconds of audio processed per wall-clock second.
public enum FeatureBenchmark {
    public struct Result: Sendable {
        public var audioSeconds: Double
        public var inputDescription: String
        public var decodeSeconds: Double
        /// Feature extraction time by thread count.
        public var featureSeconds: [(threads: Int, seconds: Double)]
        public var peakResidentBytes: Int
        public var featureBytes: Int
    }

    /// Writes a `duration`-second 44.1 kHz stereo 16-bit WAV of a speech-like test signal (a
    /// gliding harmonic tone in noise) to a temporary file, then measures loading it as 16 kHz mono
    /// and extracting features with 1 and `threads` threads.
    public static func run(duration: Double = 600, threads: Int = 2, config: FeatureConfig = FeatureConfig()) throws
        -> Result
    {
        let inputRate = 44_100
        let frames = Int(duration * Double(inputRate))
        let path = NSTemporaryDirectory() + "ground-bench-\(getpid()).wav"
        defer { unlink(path) }
        try writeTestSignal(path: path, frames: frames, rate: inputRate, channels: 2)

        let (audio, decodeSeconds) = try ResourceUsage.time {
            try AudioFile.load(path: path, sampleRate: config.sampleRate)
        }
        let extractor = try LogMelExtractor(config: config)
        var timings: [(threads: Int, seconds: Double)] = []
        var featureBytes = 0
        for count in Set([1, threads]).sorted() {
            let (features, seconds) = ResourceUsage.time { extractor.features(of: audio.samples, threads: count) }
            featureBytes = features.values.count * MemoryLayout<Float>.size
            timings.append((count, seconds))
        }
        return Result(
            audioSeconds: audio.duration, inputDescription: "WAV PCM16, 44.1 kHz, 2 channels",
            decodeSeconds: decodeSeconds, featureSeconds: timings,
            peakResidentBytes: ResourceUsage.peakResidentBytes(), featureBytes: featureBytes)
    }

    /// A harmonic tone gliding 100–300 Hz (a voice's pitch range) over white noise, the same in
    /// every channel, written in blocks so the benchmark's peak memory is that of loading it.
    static func writeTestSignal(path: String, frames: Int, rate: Int, channels: Int) throws {
        let writer = try AudioWriter(path: path, channels: channels, sampleRate: rate)
        var generator = SplitMix64(seed: 1)
        var phase = 0.0
        let blockFrames = 65_536
        var block = [Float](repeating: 0, count: blockFrames * channels)
        for blockStart in stride(from: 0, to: frames, by: blockFrames) {
            let count = min(blockFrames, frames - blockStart)
            for i in 0..<count {
                let t = Double(blockStart + i) / Double(rate)
                phase += 2 * Double.pi * (200 + 100 * sin(2 * Double.pi * 0.3 * t)) / Double(rate)
                let tone = 0.2 * sin(phase) + 0.1 * sin(2 * phase) + 0.05 * sin(3 * phase)
                let noise = 0.02 * (generator.nextUnitDouble() * 2 - 1)
                for c in 0..<channels { block[i * channels + c] = Float(tone + noise) }
            }
            try writer.write(interleaved: Array(block[0..<(count * channels)]))
        }
        try writer.finish()
    }
}
