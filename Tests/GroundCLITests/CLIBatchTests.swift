import Foundation
import GroundCore
import XCTest

/// `ground batch` end to end with the built executable: a LibriSpeech-shaped tree with a corrupt
/// file and a file missing from the transcript, an interrupted run resumed, and two shards.
final class CLIBatchTests: XCTestCase {
    var directory: URL!
    var model = ""
    var corpus = ""

    /// utterance id → (fixture audio, file name in the chapter, transcript line or nil).
    let utterances: [(id: String, fixture: String, file: String, line: String?)] = [
        ("19-198-0000", "speech-22k05-mono.flac", "19-198-0000.flac", "HOW MUCH WOOD WOULD A WOODCHUCK CHUCK"),
        ("19-198-0001", "pangram-16k-mono.wav", "19-198-0001.wav", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG"),
        ("19-198-0002", "not-audio.wav", "19-198-0002.wav", "HOW MUCH WOOD"),
        ("19-198-0003", "speech-16k-mono.wav", "19-198-0003.wav", nil),
        ("32-21-0000", "speech-16k-mono.ogg", "32-21-0000.ogg", "HOW MUCH WOOD WOULD A WOODCHUCK CHUCK"),
        ("32-21-0001", "speech-48k-mono.opus", "32-21-0001.opus", "HOW MUCH WOOD WOULD A WOODCHUCK CHUCK"),
    ]
    var ids: Set<String> { Set(utterances.map(\.id)) }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ground-batch-\(UUID().uuidString)")
        corpus = directory.appendingPathComponent("corpus").path
        var transcripts: [URL: String] = [:]
        for utterance in utterances {
            let parts = utterance.id.split(separator: "-")
            let chapter = directory.appendingPathComponent("corpus/\(parts[0])/\(parts[1])")
            try FileManager.default.createDirectory(at: chapter, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: ExecutableTests.fixtures.appendingPathComponent(utterance.fixture), to: chapter.appendingPathComponent(utterance.file))
            if let line = utterance.line {
                transcripts[chapter.appendingPathComponent("\(parts[0])-\(parts[1]).trans.txt"), default: ""] += "\(utterance.id) \(line)\n"
            }
        }
        for (url, text) in transcripts { try Data(text.utf8).write(to: url) }
        model = directory.appendingPathComponent("tiny.ground").path
        try GroundingModel(config: ModelConfig.preset("tiny")!, seed: 1).file().write(to: model)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let outcome = try GroundProcess.run(["batch"] + arguments)
        return (outcome.status, outcome.stdout, outcome.stderr)
    }

    func output(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The lines of a JSONL text by id; fails on a repeated id or a line that is not an object.
    func records(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: (line: String, object: [String: Any])] {
        var records: [String: (line: String, object: [String: Any])] = [:]
        XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"), "the output ends with a newline", file: file, line: line)
        for row in text.split(separator: "\n").map(String.init) {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any], row, file: file, line: line)
            let id = try XCTUnwrap(object["id"] as? String, file: file, line: line)
            XCTAssertNil(records[id], "\(id) appears twice", file: file, line: line)
            records[id] = (row, object)
        }
        return records
    }

    func testBatchResumeAndShards() throws {
        let path = output("out.jsonl")
        let first = try run([corpus, "--output", path, "--model", model, "--jobs", "2"])
        XCTAssertEqual(first.status, 1, first.stderr)
        XCTAssertTrue(first.stderr.contains("batch: 4 aligned, 2 failed, 0 skipped (already in output), "), first.stderr)
        XCTAssertTrue(first.stderr.hasSuffix("ground: error: 2 of 6 utterances failed; their error records are in \(path)\n"), first.stderr)
        let full = try records(String(contentsOfFile: path, encoding: .utf8))
        XCTAssertEqual(Set(full.keys), ids)
        for utterance in utterances {
            let object = try XCTUnwrap(full[utterance.id]?.object)
            XCTAssertEqual(object["file"] as? String, "\(corpus)/\(utterance.id.split(separator: "-")[0...1].joined(separator: "/"))/\(utterance.file)")
            switch utterance.id {
            case "19-198-0002":
                XCTAssertEqual(object["error"] as? String, "not a readable audio file (Format not recognised.)")
            case "19-198-0003":
                XCTAssertEqual(object["error"] as? String, "no transcript line for 19-198-0003 in \(corpus)/19/198/19-198.trans.txt")
            default:
                XCTAssertNil(object["error"], utterance.id)
                let stamps = try XCTUnwrap(object["timestamps"] as? [[String: Any]])
                XCTAssertEqual(stamps.compactMap { $0["word"] as? String }, utterance.line?.lowercased().split(separator: " ").map(String.init))
                let starts = stamps.compactMap { $0["start"] as? Double }
                XCTAssertEqual(starts.count, stamps.count)
                XCTAssertEqual(starts, starts.sorted())
                XCTAssertLessThanOrEqual(starts.last ?? .infinity, try XCTUnwrap(object["duration"] as? Double))
            }
        }

        // Never clobbered without --resume.
        let refused = try run([corpus, "--output", path, "--model", model])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("exists; pass --resume"), refused.stderr)

        // An interrupted run: two finished successes and a torn third line.
        let kept = ["19-198-0001", "32-21-0000"], torn = full["32-21-0001"]!.line
        let interrupted = kept.map { full[$0]!.line + "\n" }.joined() + torn.prefix(torn.count / 2)
        try Data(interrupted.utf8).write(to: URL(fileURLWithPath: path))
        let resumed = try run([corpus, "--output", path, "--model", model, "--resume"])
        XCTAssertEqual(resumed.status, 1, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("batch: resuming \(path): 2 utterances already aligned, a torn last line removed"), resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("batch: 2 aligned, 2 failed, 2 skipped (already in output), "), resumed.stderr)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix(kept.map { full[$0]!.line + "\n" }.joined()), "finished lines are kept as they were")
        let after = try records(text)
        XCTAssertEqual(Set(after.keys), ids)
        for (id, record) in after { XCTAssertEqual(record.line, full[id]?.line, "redone \(id) matches the first run") }

        // A second resume retries the two failures only.
        let again = try run([corpus, "--output", path, "--model", model, "--resume"])
        XCTAssertTrue(again.stderr.contains("batch: 0 aligned, 2 failed, 4 skipped"), again.stderr)
        XCTAssertEqual(Set(try records(String(contentsOfFile: path, encoding: .utf8)).keys), ids)

        // Two shards cover every utterance exactly once; the second goes to standard output.
        let shard1 = try run([corpus, "--output", output("s1.jsonl"), "--model", model, "--shard", "1/2", "--quiet"])
        let shard2 = try run([corpus, "--output", "-", "--model", model, "--shard", "2/2", "--quiet", "--jobs", "1"])
        XCTAssertNotEqual(shard1.status, 2, shard1.stderr)
        XCTAssertNotEqual(shard2.status, 2, shard2.stderr)
        let part1 = try records(String(contentsOfFile: output("s1.jsonl"), encoding: .utf8)), part2 = try records(shard2.stdout)
        XCTAssertFalse(part1.isEmpty)
        XCTAssertFalse(part2.isEmpty)
        XCTAssertEqual(Set(part1.keys).union(part2.keys), ids)
        XCTAssertTrue(Set(part1.keys).isDisjoint(with: part2.keys))
        for (id, record) in part1.merging(part2, uniquingKeysWith: { a, _ in a }) { XCTAssertEqual(record.line, full[id]?.line) }
        XCTAssertFalse(shard2.stderr.contains("batch:"), "--quiet silences progress and summary")

        // --limit takes the first utterances in id order.
        let limited = try run([corpus, "--output", "-", "--model", model, "--limit", "2", "--quiet"])
        XCTAssertEqual(limited.status, 0, limited.stderr)
        XCTAssertEqual(Set(try records(limited.stdout).keys), ["19-198-0000", "19-198-0001"])
    }

    func testUsageMistakes() throws {
        for (arguments, fragment) in [
            (["--output", output("o.jsonl")], "no input given"),
            ([corpus], "--output is required"),
            ([corpus, "--output", "-", "--resume"], "--resume needs an output file"),
            ([corpus, "--output", "-", "--shard", "0/2"], "--shard must be I/N"),
            ([corpus, "--output", "-", "--jobs", "0"], "--jobs"),
        ] {
            let outcome = try run(arguments + ["--model", model])
            XCTAssertEqual(outcome.status, 2, "\(arguments): \(outcome.stderr)")
            XCTAssertTrue(outcome.stderr.hasPrefix("ground: error: ") && outcome.stderr.contains(fragment), outcome.stderr)
            XCTAssertEqual(outcome.stdout, "")
        }
        let help = try run(["--help"])
        XCTAssertEqual(help.status, 0)
        for option in ["--output", "--model", "--resume", "--jobs", "--shard", "--threads", "--limit", "--quiet", "(default: 1/1)"] {
            XCTAssertTrue(help.stdout.contains(option), "batch help lacks \(option)")
        }
        let missing = try run([output("nowhere"), "--output", "-", "--model", model])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no such file or folder"), missing.stderr)
    }
}
