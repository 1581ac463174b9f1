import Foundation

/// The self-describing, versioned file that holds a model (or a training checkpoint).
///
/// Layout, all integers little-endian:
///
///     offset 0   magic "GRNDMODL"                          8 bytes
///            8   format version (UInt32)                   4
///           12   header length H (UInt32)                  4
///           16   data length D (UInt64)                    8
///           24   header: UTF-8 JSON, H bytes — {"config": ModelConfig, "metadata": {...},
///                "tensors": [{"name", "shape", "storage": "f32"|"f16", "offset", "bytes"}]}
///                zero padding to a multiple of 64
///            P   tensor data, D bytes; each tensor at P + offset, 64-byte aligned, little-endian
///        P + D   CRC-32 of every preceding byte (UInt32)
///
/// Readers reject a wrong magic, a newer version, a short file and a checksum mismatch, each
/// with its own message, before interpreting anything else.
public struct ModelFile {
    public static let magic = Array("GRNDMODL".utf8)
    public static let formatVersion: UInt32 = 1
    static let fixedHeaderBytes = 24
    static let alignment = 64

    public enum Storage: String, Codable, Sendable {
        /// IEEE single precision.
        case f32
        /// IEEE half precision: half the size; values are rounded to 11 significant bits.
        case f16

        var bytesPerValue: Int { self == .f32 ? 4 : 2 }
    }

    public struct Tensor: Sendable, Equatable {
        public var shape: [Int]
        public var values: [Float]
        public var storage: Storage

        public init(shape: [Int], values: [Float], storage: Storage = .f32) {
            precondition(shape.reduce(1, *) == values.count, "shape does not match the value count")
            self.shape = shape
            self.values = values
            self.storage = storage
        }
    }

    public var config: ModelConfig
    /// Free-form facts about the model: how it was trained, on what, when.
    public var metadata: [String: String]
    /// Tensors in file order.
    public var tensors: [(name: String, tensor: Tensor)]

    public init(config: ModelConfig, metadata: [String: String] = [:], tensors: [(name: String, tensor: Tensor)]) {
        self.config = config
        self.metadata = metadata
        self.tensors = tensors
    }

    public func tensor(_ name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

    // MARK: - Header JSON

    private struct TensorEntry: Codable {
        var name: String
        var shape: [Int]
        var storage: Storage
        var offset: Int
        var bytes: Int
    }

    private struct Header: Codable {
        var config: ModelConfig
        var metadata: [String: String]
        var tensors: [TensorEntry]
    }

    // MARK: - Writing

    /// Serialises the file; `write(to:)` puts it on disk atomically.
    public func encoded() throws -> Data {
        var entries: [TensorEntry] = []
        var dataLength = 0
        for (name, tensor) in tensors {
            let bytes = tensor.values.count * tensor.storage.bytesPerValue
            entries.append(TensorEntry(name: name, shape: tensor.shape, storage: tensor.storage, offset: dataLength, bytes: bytes))
            dataLength = Self.aligned(dataLength + bytes)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let header = try encoder.encode(Header(config: config, metadata: metadata, tensors: entries))

        var data = Data(Self.magic)
        data.appendLittleEndian(Self.formatVersion)
        data.appendLittleEndian(UInt32(header.count))
        data.appendLittleEndian(UInt64(dataLength))
        data.append(header)
        data.append(Data(count: Self.aligned(data.count) - data.count))
        let dataStart = data.count
        for ((_, tensor), entry) in zip(tensors, entries) {
            data.append(Data(count: dataStart + entry.offset - data.count))
            // Every platform Swift targets here is little-endian: the in-memory bytes are the file's.
            switch tensor.storage {
            case .f32: tensor.values.withUnsafeBytes { data.append(contentsOf: $0) }
            case .f16: tensor.values.map(Float16.init).withUnsafeBytes { data.append(contentsOf: $0) }
            }
        }
        data.append(Data(count: dataStart + dataLength - data.count))
        let checksum = data.withUnsafeBytes { CRC32.checksum($0) }
        data.appendLittleEndian(checksum)
        return data
    }

    /// Writes the file atomically (temporary file, then rename).
    public func write(to path: String) throws {
        try AtomicFile.write(try encoded(), to: path)
    }

    // MARK: - Reading

    public static func read(path: String) throws -> ModelFile {
        guard FileManager.default.fileExists(atPath: path) else { throw GroundError(file: path, "no such model file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GroundError(file: path, "cannot read the model file")
        }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String = "model") throws -> ModelFile {
        func fail(_ problem: String) -> GroundError { GroundError(file: path, problem) }
        guard data.count >= magic.count, Array(data.prefix(magic.count)) == magic else {
            throw fail("not a ground model file (wrong magic bytes)")
        }
        guard data.count >= fixedHeaderBytes + 4 else { throw fail("the model file is truncated") }
        let version: UInt32 = data.readLittleEndian(at: 8)
        guard version <= formatVersion else {
            throw fail("model format version \(version) is newer than this ground reads (up to \(formatVersion)); update ground")
        }
        guard version >= 1 else { throw fail("invalid model format version 0") }
        let headerLength = Int(data.readLittleEndian(at: 12) as UInt32)
        let dataLength = data.readLittleEndian(at: 16) as UInt64
        let dataStart = aligned(fixedHeaderBytes + headerLength)
        guard dataLength < UInt64(Int.max / 2), data.count >= dataStart + Int(dataLength) + 4 else {
            throw fail("the model file is truncated (\(data.count) bytes, the header announces more)")
        }
        let checksumOffset = dataStart + Int(dataLength)
        let stored: UInt32 = data.readLittleEndian(at: checksumOffset)
        let computed = data.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<checksumOffset])) }
        guard stored == computed else { throw fail("the model file is corrupt (checksum mismatch)") }
        guard data.count == checksumOffset + 4 else { throw fail("the model file has unexpected bytes after its end") }

        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data.subdata(in: fixedHeaderBytes..<(fixedHeaderBytes + headerLength)))
        } catch {
            throw fail("the model file's header is not valid: \(error)")
        }
        try header.config.validate()
        var tensors: [(name: String, tensor: Tensor)] = []
        for entry in header.tensors {
            let count = entry.shape.reduce(1, *)
            guard entry.shape.allSatisfy({ $0 >= 0 }), entry.offset >= 0,
                count * entry.storage.bytesPerValue == entry.bytes, entry.offset + entry.bytes <= Int(dataLength)
            else { throw fail("tensor '\(entry.name)' has an inconsistent size or offset") }
            let base = dataStart + entry.offset
            let range = (data.startIndex + base)..<(data.startIndex + base + entry.bytes)
            let values: [Float]
            switch entry.storage {
            case .f32:
                var floats = [Float](repeating: 0, count: count)
                floats.withUnsafeMutableBytes { _ = data.copyBytes(to: $0, from: range) }
                values = floats
            case .f16:
                var halves = [Float16](repeating: 0, count: count)
                halves.withUnsafeMutableBytes { _ = data.copyBytes(to: $0, from: range) }
                values = halves.map(Float.init)
            }
            tensors.append((entry.name, Tensor(shape: entry.shape, values: values, storage: entry.storage)))
        }
        return ModelFile(config: header.config, metadata: header.metadata, tensors: tensors)
    }

    static func aligned(_ offset: Int) -> Int { (offset + alignment - 1) / alignment * alignment }
}

extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    func readLittleEndian<T: FixedWidthInteger>(at offset: Int) -> T {
        var value: T = 0
        _ = Swift.withUnsafeMutableBytes(of: &value) { target in
            copyBytes(to: target, from: (startIndex + offset)..<(startIndex + offset + MemoryLayout<T>.size))
        }
        return T(littleEndian: value)
    }
}
