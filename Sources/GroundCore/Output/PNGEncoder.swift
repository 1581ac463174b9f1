import Foundation

/// A minimal PNG encoder for the spectrogram `SVGPlot` embeds: 8-bit indexed colour with a
/// palette, no filtering, and deflate "stored" (uncompressed) blocks, so it needs nothing but
/// CRC-32 and Adler-32. One byte per pixel keeps the picture small enough without compression.
enum PNGEncoder {
    /// A PNG of `width` × `height` palette indices, rows from the top; `palette` holds up to 256
    /// RGB colours.
    static func indexed(width: Int, height: Int, pixels: [UInt8], palette: [(UInt8, UInt8, UInt8)]) -> Data {
        precondition(pixels.count == width * height && !palette.isEmpty && palette.count <= 256)
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header.append(contentsOf: [8, 3, 0, 0, 0])  // bit depth 8, indexed colour, deflate, no filter, no interlace
        chunk("IHDR", header, into: &png)
        chunk("PLTE", Data(palette.flatMap { [$0.0, $0.1, $0.2] }), into: &png)

        // Each row starts with its filter type, 0 (none).
        var raw = Data(capacity: (width + 1) * height)
        for row in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(row * width)..<((row + 1) * width)])
        }
        chunk("IDAT", zlibStored(raw), into: &png)
        chunk("IEND", Data(), into: &png)
        return png
    }

    /// A zlib stream of stored deflate blocks (at most 65,535 bytes each) and its Adler-32.
    static func zlibStored(_ data: Data) -> Data {
        var out = Data([0x78, 0x01])
        var offset = 0
        repeat {
            let count = min(65_535, data.count - offset)
            out.append(offset + count == data.count ? 1 : 0)  // BFINAL on the last block, BTYPE 00
            out.appendLittleEndian(UInt16(count))
            out.appendLittleEndian(~UInt16(count))
            out.append(data[data.startIndex + offset..<data.startIndex + offset + count])
            offset += count
        } while offset < data.count
        out.appendBigEndian(adler32(data))
        return out
    }

    static func adler32(_ data: Data) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

    private static func chunk(_ type: String, _ body: Data, into png: inout Data) {
        png.appendBigEndian(UInt32(body.count))
        let typed = Data(type.utf8) + body
        png.append(typed)
        png.appendBigEndian(typed.withUnsafeBytes { CRC32.checksum($0) })
    }
}

extension Data {
    /// Appends the integer's bytes, most significant first, as PNG stores its numbers.
    fileprivate mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
