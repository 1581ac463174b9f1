import Foundation
import GroundCore
import XCTest

/// Runs the built `ground` executable as a user would and checks exit status and output streams.
final class ExecutableTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    typealias Outcome = GroundProcess.Outcome

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        try GroundProcess.run(arguments, environment: environment)
    }

    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    /// One line on stderr containing every fragment, nothing on stdout, the given exit status.
    func assertFails(
        _ arguments: [String], status: Int32 = 1, mentions fragments: [String], line: UInt = #line
    ) throws {
        let outcome = try run(arguments)
        XCTAssertEqual(outcome.status, status, "status for \(arguments): \(outcome.stderr)", line: line)
        XCTAssertEqual(outcome.stdout, "", "stdout must stay empty", line: line)
        let firstLine = outcome.stderr.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(firstLine.hasPrefix("ground: error: "), outcome.stderr, line: line)
        for fragment in fragments {
            XCTAssertTrue(firstLine.contains(fragment), "'\(fragment)' not in: \(firstLine)", line: line)
        }
        XCTAssertFalse(outcome.stderr.contains("Fatal error"), line: line)
    }

    func testHelpAndVersion() throws {
        let help = try run(["--help"])
        XCTAssertEqual(help.status, 0)
        for flag in [
            "--query", "--occurrence", "--transcript", "--transcript-file", "--model", "--format", "--output",
            "--start", "--end", "--threads", "--quiet", "--help", "--version", "(default: json)",
        ] {
            XCTAssertTrue(help.stdout.contains(flag), "help lacks \(flag)")
        }
        let version = try run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("ground 0."), version.stdout)
    }

    func testFileErrors() throws {
        let missing = fixture("no-such-file.wav")
        try assertFails([missing, "--query", "much"], mentions: [missing, "no such file"])
        try assertFails([fixture("not-audio.wav"), "--query", "much"], mentions: ["not-audio.wav", "not a readable audio file"])
        try assertFails([fixture("truncated.wav"), "--query", "much"], mentions: ["truncated.wav", "not a readable audio file"])
        try assertFails([fixture("empty.wav"), "--query", "much"], mentions: ["empty.wav", "no audio samples"])
        try assertFails([Self.fixtures.path, "--query", "much"], mentions: ["is a directory"])
        try assertFails(
            [fixture("speech-16k-mono.wav"), "--query", "much", "--start", "10"],
            mentions: ["speech-16k-mono.wav", "nothing left after trimming"])
    }

    func testAbsurdSampleRate() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rate.wav").path
        // 44-byte PCM16 header declaring 2 Hz, then 200 samples.
        var data = Data()
        func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); append(UInt32(36 + 400))
        data.append(contentsOf: Array("WAVEfmt ".utf8)); append(UInt32(16)); append(UInt16(1)); append(UInt16(1))
        append(UInt32(2)); append(UInt32(4)); append(UInt16(2)); append(UInt16(16))
        data.append(contentsOf: Array("data".utf8)); append(UInt32(400))
        data.append(Data(count: 400))
        try data.write(to: URL(fileURLWithPath: path))
        try assertFails([path, "--query", "much"], mentions: [path, "sample rate 2 Hz"])
    }

    func testUsageErrors() throws {
        let clip = fixture("speech-16k-mono.wav")
        try assertFails([clip, "--query", ""], status: 2, mentions: ["query", "empty"])
        try assertFails([clip, "--query", "?!"], status: 2, mentions: ["query", "empty"])
        try assertFails([clip, "--transcript", "  "], status: 2, mentions: ["transcript is empty"])
        try assertFails([clip], status: 2, mentions: ["--query WORD, --transcript TEXT"])
        try assertFails(["--query", "much"], status: 2, mentions: ["no audio file"])
        try assertFails([clip, "--query", "a", "--transcript", "b"], status: 2, mentions: ["cannot be used together"])
        try assertFails([clip, "--transcript", "a b", "--occurrence", "2"], status: 2, mentions: ["--occurrence applies to --query only"])
        try assertFails([clip, "--query", "a", "--occurrence", "0"], status: 2, mentions: ["--occurrence must be"])
        try assertFails([clip, "--query", "a", "--bogus"], status: 2, mentions: ["unknown option --bogus"])
        try assertFails([clip, "--query"], status: 2, mentions: ["--query needs a value"])
        try assertFails([clip, "--query", "a", "--format", "xml"], status: 2, mentions: ["unknown --format 'xml'"])
        try assertFails([clip, "--query", "a", "--threads", "0"], status: 2, mentions: ["--threads"])
        try assertFails([clip, "--query", "a", "--start", "2", "--end", "1"], status: 2, mentions: ["--end"])
        try assertFails([clip, "--transcript-file", "/nonexistent/t.txt"], status: 2, mentions: ["/nonexistent/t.txt"])
        try assertFails(["bench", "nothing"], status: 2, mentions: ["unknown benchmark 'nothing'"])
    }

    /// A small random model file: the pipeline end to end, without judging accuracy.
    func makeModel(in directory: URL) throws -> String {
        let config = ModelConfig.preset("tiny")!
        let path = directory.appendingPathComponent("tiny.ground").path
        try GroundingModel(config: config, seed: 1).file(metadata: ["purpose": "test"]).write(to: path)
        return path
    }

    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ground-exe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    func testQueryAndTranscriptWithAModelFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try makeModel(in: directory)
        let clip = fixture("speech-16k-mono.wav")

        let query = try run([clip, "--query", "Much", "--model", model])
        XCTAssertEqual(query.status, 0, query.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(query.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["task"] as? String, "word")
        XCTAssertEqual(object["query"] as? String, "much")
        XCTAssertEqual(object["duration"] as? Double, 1.853)
        XCTAssertNotNil(object["expected_count"] as? Double)
        XCTAssertEqual((object["model"] as? [String: Any])?["name"] as? String, "tiny")
        let stamps = try XCTUnwrap(object["timestamps"] as? [[String: Any]])
        XCTAssertEqual(stamps.count, 1)
        let start = try XCTUnwrap(stamps[0]["start"] as? Double), end = try XCTUnwrap(stamps[0]["end"] as? Double)
        XCTAssertLessThan(start, end)
        XCTAssertLessThanOrEqual(end, 1.853)

        let transcript = try run([clip, "--transcript-file", fixture("speech-16k-mono.txt"), "--model", model])
        XCTAssertEqual(transcript.status, 0, transcript.stderr)
        let words = try XCTUnwrap(
            (JSONSerialization.jsonObject(with: Data(transcript.stdout.utf8)) as? [String: Any])?["timestamps"] as? [[String: Any]])
        XCTAssertEqual(words.compactMap { $0["word"] as? String }, ["how", "much", "wood", "would", "a", "woodchuck", "chuck"])
        let starts = words.compactMap { $0["start"] as? Double }
        XCTAssertEqual(starts, starts.sorted(), "starts must be in order")
        for word in words { XCTAssertLessThan(word["start"] as! Double, word["end"] as! Double) }

        // Two files give an array; --output writes the same document to a file and nothing to stdout.
        let output = directory.appendingPathComponent("out.json").path
        let both = try run([clip, fixture("speech-22k05-mono.flac"), "--query", "wood", "--model", model, "--output", output])
        XCTAssertEqual(both.status, 0, both.stderr)
        XCTAssertEqual(both.stdout, "")
        let array = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [[String: Any]]
        XCTAssertEqual(array?.count, 2)
    }

    func testBadModelAndOutputErrors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try makeModel(in: directory)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        bytes[bytes.count / 2] ^= 0xFF
        let corrupt = directory.appendingPathComponent("corrupt.ground").path
        try bytes.write(to: URL(fileURLWithPath: corrupt))
        let clip = fixture("speech-16k-mono.wav")
        try assertFails([clip, "--query", "much", "--model", corrupt], mentions: [corrupt, "checksum mismatch"])
        try assertFails([clip, "--query", "much", "--model", clip], mentions: [clip, "not a ground model file"])
        try assertFails([clip, "--query", "much", "--model", directory.appendingPathComponent("none").path], mentions: ["no such model file"])
        let unwritable = "/nonexistent-dir/out.json"
        try assertFails([clip, "--query", "much", "--model", model, "--output", unwritable], mentions: [unwritable, "does not exist"])
        // A failing file among several leaves no output file behind.
        let output = directory.appendingPathComponent("out.json").path
        try assertFails([clip, fixture("not-audio.wav"), "--query", "much", "--model", model, "--output", output], mentions: ["not-audio.wav"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    /// $GROUND_MODEL is used when --model is absent, and --model wins over it.
    func testModelEnvironmentVariable() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try makeModel(in: directory)
        let clip = fixture("speech-16k-mono.wav")
        let missing = directory.appendingPathComponent("missing.ground").path
        let fromEnvironment = try run([clip, "--query", "much"], environment: ["GROUND_MODEL": model])
        XCTAssertEqual(fromEnvironment.status, 0, fromEnvironment.stderr)
        XCTAssertTrue(fromEnvironment.stdout.contains("\"name\": \"tiny\""), fromEnvironment.stdout)
        let outcome = try run([clip, "--query", "much"], environment: ["GROUND_MODEL": missing])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("no such model file"), outcome.stderr)
        let overridden = try run([clip, "--query", "much", "--model", model], environment: ["GROUND_MODEL": missing])
        XCTAssertEqual(overridden.status, 0, overridden.stderr)
    }
}
