import Foundation
import XCTest

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `--format`, `--output` and `--plot` as a user runs them: the files they write, and one-line
/// errors that leave nothing behind.
extension ExecutableTests {
    static let transcript = "how much wood would a woodchuck chuck"

    func testTextGridOutputAndPlot() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try makeModel(in: directory)
        let grid = directory.appendingPathComponent("x.TextGrid").path
        let plot = directory.appendingPathComponent("x.svg").path
        let outcome = try run([
            fixture("speech-16k-mono.wav"), "--model", model, "--transcript", Self.transcript, "--format", "textgrid",
            "--output", grid, "--plot", plot,
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(outcome.stdout, "")

        let textGrid = try PraatTextGrid(String(contentsOfFile: grid, encoding: .utf8))
        XCTAssertEqual(textGrid.xmax, 1.853)
        XCTAssertEqual(textGrid.tiers.map(\.name), ["words"])
        XCTAssertEqual(textGrid.tilingProblems(of: textGrid.tiers[0]), [])
        XCTAssertEqual(textGrid.words(of: textGrid.tiers[0]).map(\.text), Self.transcript.split(separator: " ").map(String.init))

        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: plot)))
        final class Counter: NSObject, XMLParserDelegate {
            var classes: [String] = []
            func parser(
                _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]
            ) {
                classes.append("\(name).\(attributes["class"] ?? "")")
            }
        }
        let counter = Counter()
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "the plot is not well-formed XML")
        XCTAssertEqual(counter.classes.filter { $0 == "line.timestamp" }.count, 7)
        XCTAssertEqual(counter.classes.filter { $0 == "text.word" }.count, 7)
        XCTAssertEqual(counter.classes.filter { $0 == "path.waveform" }.count, 1)
        XCTAssertEqual(counter.classes.filter { $0.hasPrefix("polyline.curve") }.count, 2)

        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(left, ["tiny.ground", "x.TextGrid", "x.svg"], "no temporary files stay behind")
    }

    /// Without `--format`, the extension of `--output` picks the format; `--format` wins over it.
    func testFormatFollowsTheOutputExtension() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try makeModel(in: directory)
        let expectedStart = [
            "x.csv": "file,word,start,end,score\n", "x.tsv": "file\tword\tstart\tend\tscore\n", "x.srt": "1\n00:00:",
            "x.vtt": "WEBVTT\n\n1\n00:00:", "x.TextGrid": "File type = \"ooTextFile\"\n", "x.jsonl": "{\"file\": ",
            "x.json": "{\"file\": ",
        ]
        for (name, start) in expectedStart {
            let path = directory.appendingPathComponent(name).path
            let outcome = try run([fixture("speech-16k-mono.wav"), "--model", model, "--query", "wood", "--output", path])
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(text.hasPrefix(start), "\(name): \(text)")
        }
        let csvNamed = directory.appendingPathComponent("named.csv").path
        let explicit = try run([
            fixture("speech-16k-mono.wav"), "--model", model, "--query", "wood", "--format", "json", "--output", csvNamed,
        ])
        XCTAssertEqual(explicit.status, 0, explicit.stderr)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: csvNamed))))

        let both = try run([
            fixture("speech-16k-mono.wav"), fixture("pangram-16k-mono.wav"), "--model", model, "--query", "the",
            "--format", "csv",
        ])
        XCTAssertEqual(both.status, 0, both.stderr)
        XCTAssertEqual(both.stdout.split(separator: "\n").count, 3, both.stdout)
    }

    func testFormatOutputAndPlotErrors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try makeModel(in: directory)
        let clip = fixture("speech-16k-mono.wav")
        let request = [clip, "--model", model, "--transcript", Self.transcript]

        let unwritable = "/nonexistent/dir/x.json"
        try assertFails(request + ["--output", unwritable], mentions: [unwritable, "does not exist"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: unwritable))
        try assertFails(request + ["--output", directory.path], mentions: [directory.path, "is a directory"])

        // A missing plot directory stops the run before any output is written.
        let output = directory.appendingPathComponent("out.json").path
        try assertFails(
            request + ["--output", output, "--plot", "/nonexistent/dir/x.svg"], mentions: ["/nonexistent/dir/x.svg", "cannot write plot", "does not exist"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))

        try assertFails(request + ["--format", "xml"], status: 2, mentions: ["unknown --format 'xml'", "textgrid", "vtt"])
        try assertFails(
            [clip, clip, "--model", model, "--query", "wood", "--format", "srt"], status: 2,
            mentions: ["--format srt describes one audio file, got 2"])
        try assertFails(
            [clip, clip, "--model", model, "--query", "wood", "--plot", directory.appendingPathComponent("p.svg").path],
            status: 2, mentions: ["--plot draws one audio file, got 2"])
        try assertFails(request + ["--plot", "-"], status: 2, mentions: ["--plot needs a file name"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["tiny.ground"])

        let help = try run(["--help"])
        for text in ["--plot FILE.svg", "json, jsonl, textgrid, csv, tsv, srt, vtt", "(default: json)"] {
            XCTAssertTrue(help.stdout.contains(text), "help lacks \(text)")
        }
    }
}
