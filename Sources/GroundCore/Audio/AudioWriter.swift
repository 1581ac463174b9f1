import CSndFile
import Foundation

/// Writes audio through libsndfile, block by block; used by benchmarks, tests and tools that
/// make clips. The data goes to a temporary file in the same directory that `finish()` renames
/// into place, so an interrupted write never leaves a partial file under the final name.
public final class AudioWriter {
    public enum Encoding: Sendable {
        case wavPCM16, wavPCM24, wavFloat, flac

        var sndfileFormat: Int32 {
            switch self {
            case .wavPCM16: return Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
            case .wavPCM24: return Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_24)
            case .wavFloat: return Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT)
            case .flac: return Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
            }
        }
    }

    public let path: String
    public let channels: Int
    private let temporaryPath: String
    private var handle: OpaquePointer?

    public init(path: String, channels: Int = 1, sampleRate: Int, encoding: Encoding = .wavPCM16) throws {
        precondition(channels >= 1 && sampleRate > 0)
        self.path = path
        self.channels = channels
        temporaryPath = path + ".partial-\(getpid())"
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channels)
        info.format = encoding.sndfileFormat
        guard let handle = sf_open(temporaryPath, Int32(SFM_WRITE), &info) else {
            throw GroundError(file: path, "cannot write audio (\(String(cString: sf_strerror(nil))))")
        }
        // Clip rather than wrap when float samples exceed full scale in an integer format.
        var clip = Int32(SF_TRUE)
        sf_command(handle, Int32(SFC_SET_CLIPPING), &clip, Int32(MemoryLayout<Int32>.size))
        self.handle = handle
    }

    deinit {
        if let handle {  // never finished: discard the partial file
            sf_close(handle)
            unlink(temporaryPath)
        }
    }

    /// Appends interleaved samples (`frames × channels`).
    public func write(interleaved samples: [Float]) throws {
        guard let handle else { throw GroundError(file: path, "write after finish") }
        precondition(samples.count % channels == 0)
        let frames = samples.count / channels
        let written = samples.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, sf_count_t(frames)) }
        guard written == frames else {
            throw GroundError(file: path, "writing audio failed: \(String(cString: sf_strerror(handle)))")
        }
    }

    /// Closes the file and moves it into place.
    public func finish() throws {
        guard let handle else { return }
        self.handle = nil
        guard sf_close(handle) == 0 else {
            unlink(temporaryPath)
            throw GroundError(file: path, "writing audio failed while closing the file")
        }
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw GroundError(file: path, "cannot move the finished file into place: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes a whole signal in one call.
    public static func write(
        path: String, interleaved samples: [Float], channels: Int = 1, sampleRate: Int,
        encoding: Encoding = .wavPCM16
    ) throws {
        let writer = try AudioWriter(path: path, channels: channels, sampleRate: sampleRate, encoding: encoding)
        try writer.write(interleaved: samples)
        try writer.finish()
    }
}
