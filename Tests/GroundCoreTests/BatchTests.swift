import Foundation
import GroundCore
import XCTest

/// Corpus discovery, sharding, resuming and the incremental writer of `ground batch`.
final class BatchTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try Paths.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    /// Writes `text` at `relative` below the test folder, creating folders; returns the path.
    @discardableResult
    func write(_ relative: String, _ text: String = "") throws -> String {
        let url = directory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    func words(_ item: BatchItem) throws -> [String] {
        guard case .transcript(let words) = try item.task.get() else { throw GroundError("not a transcript task") }
        return words
    }

    func problem(_ item: BatchItem) -> String? {
        if case .failure(let error) = item.task { return error.message }
        return nil
    }

    // MARK: - Discovery

    func testLibriSpeechChaptersAndSidecars() throws {
        try write("ls/19/198/19-198.trans.txt", "19-198-0000 HOW MUCH WOOD\r\n19-198-0001 SHE'S THERE\n19-198-0009 NO AUDIO\n")
        try write("ls/19/198/19-198-0000.flac")
        try write("ls/19/198/19-198-0001.WAV")
        try write("ls/19/198/19-198-0002.flac")
        try write("ls/19/198/notes.md", "not audio, ignored")
        try write("ls/mfa/spk1/a.wav")
        try write("ls/mfa/spk1/a.lab", "Café au lait")
        try write("ls/mfa/spk1/b.opus")
        try write("ls/mfa/spk1/b.txt", "the quick fox")
        try write("ls/mfa/spk1/c.wav")
        try write("ls/mfa/spk1/d.ogg")
        try write("ls/mfa/spk1/d.txt", " ?! ")
        try write("ls/mfa/.trash/e.wav")
        try write("ls/mfa/spk1/._a.wav")

        let root = path("ls")
        let items = try BatchInput.items(of: [BatchInput(argument: root)])
        XCTAssertEqual(
            items.map(\.id),
            ["19-198-0000", "19-198-0001", "19-198-0002", "19-198-0009", "mfa/spk1/a", "mfa/spk1/b", "mfa/spk1/c", "mfa/spk1/d"])
        let byId = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })

        XCTAssertEqual(byId["19-198-0000"]?.audioPath, root + "/19/198/19-198-0000.flac")
        XCTAssertEqual(try words(byId["19-198-0000"]!), ["how", "much", "wood"])
        XCTAssertEqual(try words(byId["19-198-0001"]!), ["she's", "there"])
        XCTAssertEqual(problem(byId["19-198-0002"]!), "no transcript line for 19-198-0002 in \(root)/19/198/19-198.trans.txt")
        XCTAssertEqual(byId["19-198-0009"]?.audioPath, root + "/19/198/19-198.trans.txt")
        XCTAssertTrue(problem(byId["19-198-0009"]!)?.contains("no audio file 19-198-0009") ?? false)

        XCTAssertEqual(try words(byId["mfa/spk1/a"]!), ["cafe", "au", "lait"])
        XCTAssertEqual(byId["mfa/spk1/b"]?.audioPath, root + "/mfa/spk1/b.opus")
        XCTAssertEqual(try words(byId["mfa/spk1/b"]!), ["the", "quick", "fox"])
        XCTAssertTrue(problem(byId["mfa/spk1/c"]!)?.contains("no c.txt or c.lab") ?? false)
        XCTAssertTrue(problem(byId["mfa/spk1/d"]!)?.contains("is empty") ?? false, problem(byId["mfa/spk1/d"]!) ?? "")
    }

    func testManifestWithSplitJoinsWordsWithoutPlaceholders() throws {
        let manifest = try write(
            "data/manifest.jsonl",
            """
            {"audio": "audio/b.wav", "words": [{"word": "we", "start": 0.1, "end": 0.3}, {"word": "<unk>", "start": 0.3, "end": 0.5}, {"word": "bear", "start": 0.5, "end": 0.9}], "transcript": "", "utt_id": "b", "split": "test"}
            {"audio": "audio/a.wav", "words": [{"word": "call", "start": 0.1, "end": 0.3}], "utt_id": "a", "split": "train"}
            {"audio": "/abs/c.wav", "words": [], "transcript": "Only text", "utt_id": "c", "split": "test"}

            """)
        XCTAssertEqual(try BatchInput(argument: manifest + "@test"), .manifest(path: manifest, split: "test"))
        let test = try BatchInput.items(of: [BatchInput(argument: manifest + "@test")])
        XCTAssertEqual(test.map(\.id), ["b", "c"])
        XCTAssertEqual(test[0].audioPath, path("data/audio/b.wav"))
        XCTAssertEqual(try words(test[0]), ["we", "bear"])
        XCTAssertEqual(test[1].audioPath, "/abs/c.wav")
        XCTAssertEqual(try words(test[1]), ["only", "text"])
        XCTAssertEqual(try BatchInput.items(of: [BatchInput(argument: manifest)]).map(\.id), ["a", "b", "c"])
        XCTAssertThrowsError(try BatchInput.items(of: [BatchInput(argument: manifest + "@dev")])) {
            XCTAssertTrue("\($0)".contains("no utterances in split 'dev'"), "\($0)")
        }
    }

    func testListResolvesPathsAgainstItsFolder() throws {
        let list = try write(
            "lists/corpus.tsv", "# audio<TAB>transcript\n\nclips/one.wav\tHello, World!\r\n/abs/two.flac\tsecond\tline\nthree.wav\t\n")
        let items = try BatchInput.items(of: [BatchInput(argument: list)])
        XCTAssertEqual(items.map(\.id), ["/abs/two", "clips/one", "three"])
        XCTAssertEqual(items[0].audioPath, "/abs/two.flac")
        XCTAssertEqual(try words(items[0]), ["second", "line"])
        XCTAssertEqual(items[1].audioPath, path("lists/clips/one.wav"))
        XCTAssertEqual(try words(items[1]), ["hello", "world"])
        XCTAssertNotNil(problem(items[2]), "an empty transcript is an error record")

        let bad = try write("lists/bad.txt", "one.wav\tfine\ntwo.wav no tab\n")
        XCTAssertThrowsError(try BatchInput(argument: bad).items()) {
            XCTAssertEqual("\($0)", "\(bad): line 2 is not AUDIO_PATH<TAB>TRANSCRIPT")
        }
    }

    func testInputKindsAndDuplicateIds() throws {
        try write("x/a.wav")
        try write("x/a.txt", "one")
        let list = try write("list.txt", "x/a.wav\tone\n")
        XCTAssertEqual(try BatchInput(argument: path("x")), .directory(path("x")))
        XCTAssertEqual(try BatchInput(argument: list), .list(list))
        let clip = try write("clip.wav")
        XCTAssertThrowsError(try BatchInput(argument: clip)) { XCTAssertTrue("\($0)".contains("not a batch input"), "\($0)") }
        XCTAssertThrowsError(try BatchInput(argument: path("missing"))) { XCTAssertTrue("\($0)".contains("no such file"), "\($0)") }
        // The folder names x/a.wav "a", the list names it "x/a": distinct. Two lists naming it clash.
        XCTAssertEqual(try BatchInput.items(of: [BatchInput(argument: path("x")), BatchInput(argument: list)]).count, 2)
        XCTAssertThrowsError(try BatchInput.items(of: [.list(list), .list(list)])) {
            XCTAssertTrue("\($0)".contains("two utterances have the id 'x/a'"), "\($0)")
        }
    }

    // MARK: - Sharding

    func testShardsPartitionTheCorpus() throws {
        let ids = (0..<3000).map { "\($0 % 7)-\($0 / 7)-\(String(format: "%04d", $0))" }
        for count in [1, 2, 3, 7, 10] {
            let shards = (1...count).map { Shard("\($0)/\(count)")! }
            var seen: [String: Int] = [:]
            for shard in shards {
                let part = ids.filter(shard.contains)
                XCTAssertEqual(Double(part.count), Double(ids.count) / Double(count), accuracy: 5 * (Double(ids.count) / Double(count)).squareRoot())
                for id in part { seen[id, default: 0] += 1 }
            }
            XCTAssertEqual(Set(seen.keys), Set(ids), "shards of \(count) must cover every id")
            XCTAssertEqual(Set(seen.values), [1], "shards of \(count) must be disjoint")
        }
    }

    func testShardParsingAndStableHash() {
        XCTAssertEqual(Shard("2/5")?.description, "2/5")
        for bad in ["0/2", "3/2", "1/0", "-1/2", "1", "1/2/3", "a/b", "/2", ""] {
            XCTAssertNil(Shard(bad), bad)
        }
        // Values computed independently (Python); a change would move utterances between shards
        // of runs made with different versions.
        XCTAssertEqual(Shard.hash(""), 0xC381_7C01_6BA4_FF30)
        XCTAssertEqual(Shard.hash("café"), 0x78DB_2400_0222_1039)
        XCTAssertEqual(Shard.hash("19-198-0000"), 0x7D23_F596_A259_671A)
    }

    // MARK: - Resume

    let success = #"{"id": "a", "file": "a.wav", "duration": 1, "timestamps": []}"#
    let otherSuccess = #"{"id": "b", "file": "b.wav", "duration": 2, "timestamps": []}"#
    let failure = #"{"id": "c", "file": "c.wav", "error": "not a readable audio file"}"#
    let foreignFailure = #"{"id": "z", "file": "z.wav", "error": "elsewhere"}"#

    func testResumeDropsTornLineAndRetriesErrors() throws {
        let output = try write(
            "out.jsonl", [success, failure, foreignFailure, success, otherSuccess].joined(separator: "\n") + "\n" + #"{"id": "d", "fi"#)
        let resume = try BatchResume(path: output, retrying: ["a", "b", "c", "d"])
        XCTAssertEqual(resume.completed, ["a", "b"])
        XCTAssertEqual(resume.retried, 1)
        XCTAssertTrue(resume.droppedTornLine)
        XCTAssertEqual(
            try String(contentsOfFile: output, encoding: .utf8), [success, foreignFailure, otherSuccess].joined(separator: "\n") + "\n")

        let again = try BatchResume(path: output, retrying: ["a", "b", "c", "d"])
        XCTAssertEqual(again.completed, ["a", "b"])
        XCTAssertEqual(again.retried, 0)
        XCTAssertFalse(again.droppedTornLine)
    }

    func testResumeLeavesACleanFileInPlace() throws {
        let output = try write("out.jsonl", success + "\n" + otherSuccess + "\n")
        let inode = try FileManager.default.attributesOfItem(atPath: output)[.systemFileNumber] as? Int
        XCTAssertEqual(try BatchResume(path: output, retrying: ["a"]).completed, ["a", "b"])
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: output)[.systemFileNumber] as? Int, inode)
        XCTAssertEqual(try BatchResume(path: path("none.jsonl"), retrying: ["a"]).completed, [])
    }

    func testResumeRefusesAFileThatIsNotABatchOutput() throws {
        let text = success + "\n" + #"{"file": "x.wav", "duration": 1}"# + "\n" + "partial"
        let output = try write("out.jsonl", text)
        XCTAssertThrowsError(try BatchResume(path: output, retrying: [])) {
            XCTAssertTrue("\($0)".contains("line 2 is not a ground batch record"), "\($0)")
        }
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8), text, "a refused file is left untouched")
    }

    // MARK: - Writing

    func testAppenderNeverClobbersAndAppendsWholeLines() throws {
        let output = path("out.jsonl")
        let first = try LineAppender(path: output, create: true)
        try first.append(success)
        try first.sync()
        XCTAssertThrowsError(try LineAppender(path: output, create: true)) {
            XCTAssertEqual("\($0)", "\(output): \(LineAppender.existsMessage)")
        }
        let second = try LineAppender(path: output, create: false)
        try second.append(otherSuccess)
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8), success + "\n" + otherSuccess + "\n")
    }

    func testRecordLines() throws {
        let item = BatchItem(id: "u\"1", audioPath: "dir/u1.wav", problem: "unused")
        let record = BatchRecord(failing: item, GroundError(file: "dir/u1.wav", "not a readable audio file\n(Format not recognised.)"))
        XCTAssertEqual(record.line, #"{"id": "u\"1", "file": "dir/u1.wav", "error": "not a readable audio file (Format not recognised.)"}"#)
        XCTAssertTrue(record.isFailure)
        XCTAssertEqual(record.audioSeconds, 0)

        let result = GroundingResult(
            file: "dir/u1.wav", duration: 1.5, model: .init(name: "m", head: "poisson", parameters: 3), task: .transcript(words: ["hi"]),
            expectedCount: nil, timestamps: [.init(word: "hi", start: 0.1, end: 0.4, score: 0.5)])
        let line = BatchRecord.aligned(id: "u1", result: result).line
        XCTAssertTrue(line.hasPrefix(#"{"id": "u1", "file": "dir/u1.wav", "duration": 1.5, "#), line)
        XCTAssertEqual(line.dropFirst(#"{"id": "u1", "#.count), JSONWriter().object(result).dropFirst())
    }

    // MARK: - Running

    /// Several jobs give exactly the records of one job: the shared model is safe to use
    /// concurrently, and every record reaches the consumer once.
    func testParallelJobsMatchOneJob() throws {
        let grounder = try Grounder(model: GroundingModel(config: ModelConfig.preset("tiny")!, seed: 3), name: "tiny")
        let clips = ["speech-16k-mono.wav", "pangram-16k-mono.wav", "speech-22k05-mono.flac", "speech-16k-mono.ogg", "not-audio.wav"]
        let items = clips.enumerated().map { index, clip in
            BatchItem(id: "u\(index)", audioPath: Paths.fixture(clip), transcript: "how much wood would", source: "test")
        } + [BatchItem(id: "u9", audioPath: Paths.fixture("empty.wav"), problem: "no transcript")]
        func records(jobs: Int) throws -> [String: BatchRecord] {
            var records: [String: BatchRecord] = [:]
            try BatchRunner(grounder: grounder, jobs: jobs).run(items) { record in
                XCTAssertNil(records[record.id], "each record once")
                records[record.id] = record
            }
            return records
        }
        let serial = try records(jobs: 1)
        XCTAssertEqual(serial.count, items.count)
        XCTAssertEqual(serial.values.filter(\.isFailure).map(\.id).sorted(), ["u4", "u9"])
        XCTAssertEqual(try records(jobs: 4), serial)

        struct Full: Error {}
        var finished = 0
        XCTAssertThrowsError(try BatchRunner(grounder: grounder, jobs: 2).run(items) { _ in
            finished += 1
            throw Full()
        }) { XCTAssertTrue($0 is Full) }
        XCTAssertEqual(finished, 1, "a failing consumer stops the batch")
    }
}
