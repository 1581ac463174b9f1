import Foundation
import GroundCore
import XCTest

/// Every text format on hand-made results: exact documents, quoting, rounding and the registry.
final class OutputWriterTests: XCTestCase {
    static let model = GroundingResult.ModelSummary(name: "tiny", head: "poisson", parameters: 1234)

    /// Awkward names on purpose: a file name with a comma and quotes, a word with a comma and
    /// quotes, a word with markup characters, an end that rounds onto its start.
    static let awkward = GroundingResult(
        file: "clips/a,\"b\".wav", duration: 2.5, model: model,
        task: .transcript(words: ["hello", "say, \"hi\"", "x<y&z"]), expectedCount: nil,
        timestamps: [
            .init(word: "hello", start: 0.1234, end: 0.4, score: 0.91),
            .init(word: "say, \"hi\"", start: 0.5, end: 0.5004, score: 0.5),
            .init(word: "x<y&z", start: 1.2, end: 1.75, score: 0.123456),
        ])

    static let second = GroundingResult(
        file: "b.wav", duration: 1, model: model, task: .wordQuery(query: "a,b", occurrence: .index(1)),
        expectedCount: 0.5, timestamps: [.init(word: "a,b", start: 0, end: 0.01, score: 1)])

    // MARK: - Delimited

    func testCSVQuotesFieldsAsRFC4180() {
        XCTAssertEqual(
            DelimitedWriter.csv.document([Self.awkward, Self.second]),
            #"""
            file,word,start,end,score
            "clips/a,""b"".wav",hello,0.123,0.4,0.91
            "clips/a,""b"".wav","say, ""hi""",0.5,0.501,0.5
            "clips/a,""b"".wav",x<y&z,1.2,1.75,0.123
            b.wav,"a,b",0,0.01,1

            """#)
    }

    func testTSVQuotesOnlyWhatATabSeparatedReaderNeeds() {
        XCTAssertEqual(
            DelimitedWriter.tsv.document([Self.awkward, Self.second]),
            "file\tword\tstart\tend\tscore\n"
                + "\"clips/a,\"\"b\"\".wav\"\thello\t0.123\t0.4\t0.91\n"
                + "\"clips/a,\"\"b\"\".wav\"\t\"say, \"\"hi\"\"\"\t0.5\t0.501\t0.5\n"
                + "\"clips/a,\"\"b\"\".wav\"\tx<y&z\t1.2\t1.75\t0.123\n"
                + "b.wav\ta,b\t0\t0.01\t1\n")
        XCTAssertEqual(DelimitedWriter.tsv.quoted("a\tb"), "\"a\tb\"")
        XCTAssertEqual(DelimitedWriter.csv.quoted("line\nbreak"), "\"line\nbreak\"")
    }

    // MARK: - Subtitles

    func testSRT() throws {
        XCTAssertEqual(
            try SRTWriter().document([Self.awkward]),
            """
            1
            00:00:00,123 --> 00:00:00,400
            hello

            2
            00:00:00,500 --> 00:00:00,501
            say, "hi"

            3
            00:00:01,200 --> 00:00:01,750
            x<y&z


            """)
    }

    func testWebVTTEscapesCueText() throws {
        XCTAssertEqual(
            try WebVTTWriter().document([Self.awkward]),
            """
            WEBVTT

            1
            00:00:00.123 --> 00:00:00.400
            hello

            2
            00:00:00.500 --> 00:00:00.501
            say, "hi"

            3
            00:00:01.200 --> 00:00:01.750
            x&lt;y&amp;z


            """)
    }

    /// Hours past the first, cues kept in start order, one line of text per cue.
    func testSubtitleClockOrderAndLineBreaks() {
        let result = GroundingResult(
            file: "long.wav", duration: 4000, model: Self.model, task: .transcript(words: ["a", "b"]),
            expectedCount: nil,
            timestamps: [
                .init(word: "late", start: 3723.004, end: 3723.5, score: 1),
                .init(word: "early\nword", start: 3700, end: 3700.2, score: 1),
            ])
        XCTAssertEqual(
            SRTWriter().document(for: result),
            "1\n01:02:03,004 --> 01:02:03,500\nlate\n\n2\n01:02:03,004 --> 01:02:03,005\nearly word\n\n")
        XCTAssertEqual(
            WebVTTWriter().document(for: result),
            "WEBVTT\n\n1\n01:02:03.004 --> 01:02:03.500\nlate\n\n2\n01:02:03.004 --> 01:02:03.005\nearly word\n\n")
    }

    // MARK: - JSON

    /// The json schema is unchanged; jsonl is the same object per file, one per line.
    func testJSONAndJSONLines() {
        let object = """
            {"file": "b.wav", "duration": 1, "model": {"name": "tiny", "head": "poisson", "parameters": 1234}, \
            "task": "word", "query": "a,b", "occurrence": "1", "expected_count": 0.5, \
            "timestamps": [{"word": "a,b", "start": 0, "end": 0.01, "score": 1}]}
            """
        XCTAssertEqual(JSONWriter().document([Self.second]), object + "\n")
        XCTAssertEqual(
            JSONLinesWriter().document([Self.awkward, Self.second]),
            JSONWriter().object(Self.awkward) + "\n" + object + "\n")
        for line in JSONLinesWriter().document([Self.awkward, Self.second]).split(separator: "\n") {
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)))
        }
    }

    // MARK: - Rounding

    /// On results as the Grounder makes them (end ≥ start + 10 ms), every format prints the same
    /// milliseconds as JSON, and no word is empty or reversed.
    func testEveryFormatRoundsTimesLikeJSON() throws {
        var random = SplitMix64(seed: 5)
        for _ in 0..<200 {
            var time = 0.0
            let stamps: [GroundingResult.Timestamp] = (0..<5).map { index in
                time += random.nextUnitDouble() * 0.3
                let start = time
                time += 0.01 + random.nextUnitDouble() * 0.3
                return .init(word: "w\(index)", start: start, end: time, score: random.nextUnitDouble())
            }
            let result = GroundingResult(
                file: "r.wav", duration: time + 0.5, model: Self.model, task: .transcript(words: stamps.map(\.word)),
                expectedCount: nil, timestamps: stamps)
            let rows = DelimitedWriter.csv.document([result]).split(separator: "\n").dropFirst()
            let cues = SRTWriter().document(for: result).components(separatedBy: "\n\n").filter { !$0.isEmpty }
            for (stamp, (row, cue)) in zip(stamps, zip(rows, cues)) {
                let fields = row.split(separator: ",").map(String.init)
                XCTAssertEqual(fields[2], Self.jsonField("start", of: stamp))
                XCTAssertEqual(fields[3], Self.jsonField("end", of: stamp))
                let ms = { (seconds: Double) in Int((seconds * 1000).rounded()) }
                XCTAssertLessThan(ms(Double(fields[2])!), ms(Double(fields[3])!))
                let clock = cue.split(separator: "\n")[1]
                XCTAssertEqual(String(clock), "\(Self.clock(ms(stamp.start))) --> \(Self.clock(ms(stamp.end)))")
            }
        }
    }

    /// The value JSON prints for one time of a word.
    static func jsonField(_ key: String, of stamp: GroundingResult.Timestamp) -> String {
        let result = GroundingResult(
            file: "", duration: 1, model: model, task: .transcript(words: []), expectedCount: nil, timestamps: [stamp])
        let object = JSONWriter().object(result)
        let tail = object[object.range(of: "\"\(key)\": ")!.upperBound...]
        return String(tail.prefix { $0 != "," && $0 != "}" })
    }

    static func clock(_ ms: Int) -> String {
        String(format: "%02d:%02d:%02d,%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
    }

    // MARK: - Registry

    func testRegistryNamesAndExtensions() {
        XCTAssertEqual(OutputFormat.names, ["json", "jsonl", "textgrid", "csv", "tsv", "srt", "vtt"])
        XCTAssertEqual(OutputFormat.named("TextGrid")?.name, "textgrid")
        XCTAssertNil(OutputFormat.named("xml"))
        let inferred = { (path: String) in OutputFormat.inferred(fromPath: path)?.name }
        XCTAssertEqual(inferred("out/x.TextGrid"), "textgrid")
        XCTAssertEqual(inferred("x.textgrid"), "textgrid")
        XCTAssertEqual(inferred("X.CSV"), "csv")
        XCTAssertEqual(inferred("a.tsv"), "tsv")
        XCTAssertEqual(inferred("a.srt"), "srt")
        XCTAssertEqual(inferred("a.vtt"), "vtt")
        XCTAssertEqual(inferred("a.jsonl"), "jsonl")
        XCTAssertEqual(inferred("a.json"), "json")
        XCTAssertNil(inferred("notes.txt"))
        XCTAssertNil(inferred("dir.csv/out"))
        XCTAssertNil(inferred("out"))
    }

    /// TextGrid and subtitles describe one recording: several results are an error, not a
    /// document no reader accepts.
    func testOneFileFormatsRejectSeveralResults() throws {
        for writer in OutputFormat.all {
            if writer.holdsSeveralFiles {
                XCTAssertNoThrow(try writer.document([Self.awkward, Self.second]), writer.name)
            } else {
                XCTAssertThrowsError(try writer.document([Self.awkward, Self.second]), writer.name) { error in
                    XCTAssertTrue("\(error)".contains("\(writer.name) format describes one audio file, got results for 2"))
                }
                XCTAssertNoThrow(try writer.document([Self.awkward]), writer.name)
            }
        }
        XCTAssertEqual(OutputFormat.all.filter { !$0.holdsSeveralFiles }.map(\.name), ["textgrid", "srt", "vtt"])
    }
}
