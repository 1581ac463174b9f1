import CSndFile
import Foundation

/// Mono audio at a known sample rate, samples nominally in [-1, 1].
public struct Audio: Sendable {
    public var samples: [Float]
    public var sampleRate: Int

    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    public var duration: Double { Double(samples.count) / Double(sampleRate) }
}

/// What a file's header says, before any decoding.
public struct AudioFileInfo: Sendable, Equatable {
    public var frames: Int
    public var sampleRate: Int
    public var channels: Int
    /// libsndfile's major format name, e.g. "WAV (Microsoft)", "OGG (OGG Container format)".
    public var formatName: String
    public var duration: Double { Double(frames) / Double(sampleRate) }
}

/// Reads any format libsndfile reads (WAV/AIFF PCM and float, FLAC, Ogg Vorbis, Ogg Opus, ...),
/// mixes all channels down to mono and resamples to the requested rate.
///
/// The file is read in blocks of `blockFrames`; each block is mixed down and pushed through a
/// streaming resampler, so memory is the output plus one block, whatever the file's length,
/// channel count or sample format.
public enum AudioFile {
    /// Sample rates outside this range are rejected as absurd (a corrupt or hostile header).
    public static let acceptedSampleRates = 4_000...384_000

    public static let blockFrames = 65_536

    /// Decodes `path` to mono at `sampleRate` Hz.
    /// - Parameters:
    ///   - start: seconds to skip at the beginning (from the start of the file).
    ///   - end: seconds at which to stop (nil: the end of the file).
    /// - Throws: `GroundError` naming the file, for a missing, unreadable or non-audio file, an absurd
    ///   sample rate, no samples at all, or an empty `start..<end` window.
    public static func load(
        path: String, sampleRate targetRate: Int = 16_000, start: Double = 0, end: Double? = nil
    ) throws -> Audio {
        let (handle, info) = try open(path)
        defer { sf_close(handle) }
        guard info.frames > 0 else {
            throw GroundError(file: path, "the file contains no audio samples")
        }
        let firstFrame = try frameIndex(start, name: "start", info: info, path: path)
        let endFrame = try end.map { try frameIndex($0, name: "end", info: info, path: path) } ?? info.frames
        guard endFrame > firstFrame else {
            throw GroundError(
                file: path,
                "nothing left after trimming to \(formatSeconds(start))–\(formatSeconds(end ?? info.duration)) s "
                    + "(the file lasts \(formatSeconds(info.duration)) s)")
        }
        if firstFrame > 0, sf_seek(handle, sf_count_t(firstFrame), SEEK_SET) < 0 {
            throw GroundError(file: path, "cannot seek to \(formatSeconds(start)) s: \(lastError(handle))")
        }

        var resampler = Resampler(inputRate: info.sampleRate, outputRate: targetRate)
        var output: [Float] = []
        output.reserveCapacity(resampler.outputCount(forInputCount: endFrame - firstFrame))
        let channels = info.channels
        var interleaved = [Float](repeating: 0, count: blockFrames * channels)
        var mono = [Float](repeating: 0, count: blockFrames)
        var remaining = endFrame - firstFrame
        while remaining > 0 {
            let want = min(blockFrames, remaining)
            let got = interleaved.withUnsafeMutableBufferPointer {
                Int(sf_readf_float(handle, $0.baseAddress, sf_count_t(want)))
            }
            if got <= 0 { break }  // Some codecs report a few frames more than they decode.
            mixDown(interleaved, channels: channels, frames: got, into: &mono)
            mono.withUnsafeBufferPointer {
                resampler.process(UnsafeBufferPointer(rebasing: $0[0..<got]), into: &output)
            }
            remaining -= got
        }
        if sf_error(handle) != 0 {
            throw GroundError(file: path, "decoding failed: \(lastError(handle))")
        }
        resampler.finish(into: &output)
        guard !output.isEmpty else {
            throw GroundError(file: path, "the file contains no audio samples")
        }
        return Audio(samples: output, sampleRate: targetRate)
    }

    // MARK: - Internals

    private static func open(_ path: String) throws -> (OpaquePointer, AudioFileInfo) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw GroundError(file: path, "no such file")
        }
        guard !isDirectory.boolValue else {
            throw GroundError(file: path, "is a directory, not an audio file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw GroundError(file: path, "permission denied")
        }
        var sfInfo = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &sfInfo) else {
            let reason = String(cString: sf_strerror(nil))
            throw GroundError(file: path, "not a readable audio file (\(reason))")
        }
        guard acceptedSampleRates.contains(Int(sfInfo.samplerate)) else {
            sf_close(handle)
            throw GroundError(
                file: path,
                "sample rate \(sfInfo.samplerate) Hz is outside the accepted "
                    + "\(acceptedSampleRates.lowerBound)–\(acceptedSampleRates.upperBound) Hz")
        }
        guard sfInfo.channels >= 1 else {
            sf_close(handle)
            throw GroundError(file: path, "the file declares \(sfInfo.channels) channels")
        }
        var format = SF_FORMAT_INFO()
        format.format = sfInfo.format & Int32(SF_FORMAT_TYPEMASK)
        let name: String =
            sf_command(handle, Int32(SFC_GET_FORMAT_INFO), &format, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0
            ? format.name.map { String(cString: $0) } ?? "unknown" : "unknown"
        let info = AudioFileInfo(
            frames: max(0, Int(sfInfo.frames)), sampleRate: Int(sfInfo.samplerate),
            channels: Int(sfInfo.channels), formatName: name)
        return (handle, info)
    }

    private static func frameIndex(_ seconds: Double, name: String, info: AudioFileInfo, path: String) throws -> Int {
        guard seconds.isFinite, seconds >= 0 else {
            throw GroundError(file: path, "--\(name) must be a non-negative number of seconds, got \(seconds)")
        }
        return min(info.frames, Int((seconds * Double(info.sampleRate)).rounded()))
    }

    /// Mean of the channels: a mono signal with the same loudness as each channel when they agree.
    private static func mixDown(_ interleaved: [Float], channels: Int, frames: Int, into mono: inout [Float]) {
        interleaved.withUnsafeBufferPointer { src in
            mono.withUnsafeMutableBufferPointer { dst in
                guard channels > 1 else {
                    dst.baseAddress!.update(from: src.baseAddress!, count: frames)
                    return
                }
                let scale = 1 / Float(channels)
                for frame in 0..<frames {
                    var sum: Float = 0
                    let base = frame &* channels
                    for channel in 0..<channels { sum += src[base &+ channel] }
                    dst[frame] = sum * scale
                }
            }
        }
    }

    private static func lastError(_ handle: OpaquePointer) -> String {
        String(cString: sf_strerror(handle))
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        String(format: "%.3f", seconds)
    }
}
