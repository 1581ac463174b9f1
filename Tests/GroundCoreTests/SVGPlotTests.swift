import Foundation
import GroundCore
import XCTest

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `--plot` pictures: well-formed XML (read back with Foundation's XMLParser) holding the
/// waveform, the head's curves, one line and one label per timestamp, and the axes.
final class SVGPlotTests: XCTestCase {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
        var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
    }

    /// Collects every element with its attributes and text; fails on any XML error.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        private var open: [Int] = []

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            open.append(elements.count)
            elements.append(Element(name: name, attributes: attributes))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let index = open.last { elements[index].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
    }

    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Element] {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "")", file: file, line: line)
        return collector.elements
    }

    static let duration = 2.0
    static let rate = 16_000

    /// Two tone bursts, words on them, and a head that fires at frames 7 and 27 (starts) and 15
    /// and 37 (ends).
    func plot(kind: FrameCurves.Kind = .intensity, curves withCurves: Bool = true, audioStart: Double = 0) -> SVGPlot {
        let samples: [Float] = (0..<Int(Self.duration) * Self.rate).map { i in
            let t = Double(i) / Double(Self.rate)
            let burst = (0.3..<0.6).contains(t) || (1.1..<1.5).contains(t)
            return burst ? Float(0.8 * sin(2 * Double.pi * 220 * t)) : 0
        }
        var starts = [Float](repeating: 0.001, count: 50), ends = starts
        starts[7] = 0.9
        starts[27] = 0.8
        ends[15] = 0.7
        ends[37] = 0.6
        let curves = FrameCurves(kind: kind, frameDuration: 0.04, offset: audioStart, starts: starts, ends: ends)
        let result = GroundingResult(
            file: "clip & <1>.wav", duration: audioStart + Self.duration,
            model: .init(name: "tiny", head: kind == .intensity ? "poisson" : "binary", parameters: 1_000_000),
            task: .transcript(words: ["one", "two"]), expectedCount: nil,
            timestamps: [
                .init(word: "one", start: audioStart + 0.3, end: audioStart + 0.6, score: 0.9),
                .init(word: "two", start: audioStart + 1.1, end: audioStart + 1.5, score: 0.8),
            ],
            curves: withCurves ? curves : nil)
        return SVGPlot(result: result, audio: Audio(samples: samples, sampleRate: Self.rate), audioStart: audioStart)
    }

    func elements(_ all: [Element], class name: String) -> [Element] {
        all.filter { $0.classes.contains(name) }
    }

    func points(_ text: String) -> [(x: Double, y: Double)] {
        text.replacingOccurrences(of: "M", with: "").replacingOccurrences(of: "Z", with: "")
            .split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").map { Double($0)! }
                return (xy[0], xy[1])
            }
    }

    func testPlotHasEveryPart() throws {
        let all = try parse(plot().document())
        XCTAssertEqual(all.first?.name, "svg")
        XCTAssertEqual(all.first?.attributes["xmlns"], "http://www.w3.org/2000/svg")
        XCTAssertTrue(all.contains { $0.name == "title" && $0.text.contains("clip & <1>.wav") && $0.text.contains("one two") })

        // Waveform: one closed envelope, silent between the bursts, loud inside them.
        let waveform = elements(all, class: "waveform")
        XCTAssertEqual(waveform.map(\.name), ["path"])
        let envelope = points(waveform[0].attributes["d"]!)
        let x = { (t: Double) in 72 + t / Self.duration * 868 }
        let heights = { (t: Double) -> Double in
            let ys = envelope.filter { abs($0.x - x(t)) < 1 }.map(\.y)
            return ys.max()! - ys.min()!
        }
        XCTAssertGreaterThan(heights(0.45), 80)
        XCTAssertLessThan(heights(0.9), 1)

        // Curves: a step per frame, peaking at the frames that fired.
        for (kind, peakFrame) in [("starts", 7), ("ends", 15)] {
            let curve = elements(all, class: "curve").filter { $0.classes.contains(kind) }
            XCTAssertEqual(curve.map(\.name), ["polyline"], kind)
            let steps = points(curve[0].attributes["points"]!)
            XCTAssertEqual(steps.count, 100, kind)
            let peak = steps.min { $0.y < $1.y }!
            XCTAssertEqual(peak.x, x(Double(peakFrame) * 0.04), accuracy: 0.1, kind)
        }

        // One line and one label per timestamp, at the word's start.
        let lines = elements(all, class: "timestamp")
        XCTAssertEqual(lines.map(\.name), ["line", "line"])
        XCTAssertEqual(lines.map { Double($0.attributes["x1"]!)! }, [x(0.3), x(1.1)].map { ($0 * 10).rounded() / 10 })
        XCTAssertEqual(elements(all, class: "word").map(\.text), ["one", "two"])
        XCTAssertEqual(elements(all, class: "word-span").count, 2)

        // Axes: seconds every 0.2 s, panel names, the curve's scale.
        let ticks = elements(all, class: "tick-label").map(\.text)
        for label in ["0.0", "0.4", "1.0", "2.0"] { XCTAssertTrue(ticks.contains(label), "no tick \(label) in \(ticks)") }
        XCTAssertTrue(ticks.contains("1"), "intensity scale tops at 1: \(ticks)")
        XCTAssertEqual(elements(all, class: "axis-label").map(\.text), ["time (s)", "waveform", "λ per 40 ms frame"])
    }

    /// With features, a log-mel panel: an embedded PNG (checked chunk by chunk) one column per
    /// 10 ms frame and one row per mel bin, bright in the low bins during the 220 Hz bursts and
    /// dark in the silence between them.
    func testSpectrogramIsAnEmbeddedPNG() throws {
        var plot = plot()
        let samples = plot.audio.samples
        plot.features = try LogMelExtractor().features(of: samples)
        let all = try parse(plot.document())
        let image = try XCTUnwrap(elements(all, class: "spectrogram").first)
        XCTAssertEqual(image.name, "image")
        XCTAssertEqual(elements(all, class: "axis-label").map(\.text), ["time (s)", "waveform", "log-mel", "λ per 40 ms frame"])
        XCTAssertEqual(Double(image.attributes["width"]!)!, 868, accuracy: 0.05, "200 frames of 10 ms span the 2 s")

        let prefix = "data:image/png;base64,"
        let href = try XCTUnwrap(image.attributes["xlink:href"])
        XCTAssertTrue(href.hasPrefix(prefix))
        let png = try XCTUnwrap(Data(base64Encoded: String(href.dropFirst(prefix.count))))
        let (width, height, pixels) = try Self.decodeStoredPNG(png)
        XCTAssertEqual(width, 200)
        XCTAssertEqual(height, 80)
        // 220 Hz lies in mel bin ~5 (row 74 from the top); frame 45 is in a burst, 85 in silence.
        XCTAssertGreaterThan(pixels[74 * width + 45], 200)
        XCTAssertLessThan(pixels[74 * width + 85], 40)
        XCTAssertLessThan(pixels[5 * width + 45], 100, "8 kHz stays dark for a 220 Hz tone")
    }

    /// Reads what `PNGEncoder` writes (indexed colour, stored deflate blocks), checking the
    /// signature, every chunk's CRC-32, the zlib header and its Adler-32; returns palette indices.
    static func decodeStoredPNG(_ png: Data) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        let bytes = [UInt8](png)
        XCTAssertEqual(Array(bytes[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func big(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { (sum: Int, byte: UInt8) in sum << 8 | Int(byte) } }
        var offset = 8, width = 0, height = 0, idat: [UInt8] = [], types: [String] = []
        while offset < bytes.count {
            let length = big(offset), type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let body = Array(bytes[offset + 8..<offset + 8 + length])
            let crc = bytes[offset + 4..<offset + 8 + length].withUnsafeBytes { CRC32.checksum($0) }
            XCTAssertEqual(UInt32(big(offset + 8 + length)), crc, "CRC of \(type)")
            if type == "IHDR" { (width, height) = (big(offset + 8), big(offset + 12)) }
            if type == "IDAT" { idat += body }
            types.append(type)
            offset += 12 + length
        }
        XCTAssertEqual(types, ["IHDR", "PLTE", "IDAT", "IEND"])
        XCTAssertEqual(Array(idat[0..<2]), [0x78, 0x01])
        var raw: [UInt8] = [], position = 2, final = false
        while !final {
            final = idat[position] & 1 == 1
            XCTAssertEqual(idat[position] >> 1 & 3, 0, "stored block")
            let count = Int(idat[position + 1]) | Int(idat[position + 2]) << 8
            XCTAssertEqual(count ^ 0xFFFF, Int(idat[position + 3]) | Int(idat[position + 4]) << 8)
            raw += idat[position + 5..<position + 5 + count]
            position += 5 + count
        }
        var a = 1, b = 0
        for byte in raw { a = (a + Int(byte)) % 65_521; b = (b + a) % 65_521 }
        let adler: Int = idat[position..<position + 4].reduce(0) { (sum: Int, byte: UInt8) in sum << 8 | Int(byte) }
        XCTAssertEqual(adler, b << 16 | a, "Adler-32")
        XCTAssertEqual(raw.count, (width + 1) * height)
        var pixels: [UInt8] = []
        for row in 0..<height {
            let rowStart = row * (width + 1)
            XCTAssertEqual(raw[rowStart], 0, "filter type none")
            pixels += raw[(rowStart + 1)..<(rowStart + 1 + width)]
        }
        return (width, height, pixels)
    }

    func testBinaryHeadPlotsProbabilities() throws {
        let all = try parse(plot(kind: .probability).document())
        XCTAssertTrue(elements(all, class: "axis-label").map(\.text).contains("probability"))
        XCTAssertEqual(elements(all, class: "curve").count, 2)
    }

    /// A trimmed clip (`--start 10`): the axis and the lines are in seconds of the file.
    func testTrimmedClipKeepsFileTime() throws {
        let all = try parse(plot(audioStart: 10).document())
        let ticks = elements(all, class: "tick-label").map(\.text)
        XCTAssertTrue(ticks.contains("10.0") && ticks.contains("12.0"), "\(ticks)")
        XCTAssertEqual(Double(elements(all, class: "timestamp")[0].attributes["x1"]!)!, 72 + 0.3 / 2 * 868, accuracy: 0.05)
    }

    func testWithoutCurvesTheWaveformStays() throws {
        let all = try parse(plot(curves: false).document())
        XCTAssertTrue(elements(all, class: "curve").isEmpty)
        XCTAssertEqual(elements(all, class: "waveform").count, 1)
        XCTAssertEqual(elements(all, class: "timestamp").count, 2)
    }
}
