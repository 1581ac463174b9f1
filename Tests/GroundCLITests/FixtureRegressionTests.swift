import Foundation
import XCTest

/// The CLI with the bundled default model on every speech clip in `Fixtures/` must give the
/// answers recorded in `FixtureExpectations.json`, within one model frame (40 ms) per time and
/// 0.05 per expected count. A change to the model or to any stage of the pipeline that moves an
/// answer fails here; after an intended change, re-record with
/// `bash scripts/update-fixture-expectations.sh` and review the diff.
final class FixtureRegressionTests: XCTestCase {
    static let expectationsFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("FixtureExpectations.json")
    static let tolerance = 0.04

    /// (clip, query, transcript file): every format of the master clip, and the second speaker.
    static let cases: [(clip: String, query: String, transcript: String)] = [
        "speech-16k-mono.wav", "speech-44k1-stereo-pcm24.wav", "speech-8k-mono-pcm32.wav", "speech-48k-mono-float.wav",
        "speech-22k05-mono.flac", "speech-16k-mono.ogg", "speech-48k-mono.opus", "speech-16k-mono.aiff", "speech-16k-6ch.wav",
    ].map { ($0, "much", "speech-16k-mono.txt") } + [("pangram-16k-mono.wav", "fox", "pangram-16k-mono.txt")]

    /// Runs every case with the bundled model: "clip|query" and "clip|transcript" → timestamps and count.
    func answers() throws -> [String: Any] {
        var answers: [String: Any] = [:]
        for (clip, query, transcript) in Self.cases {
            var requests: [(String, [String])] = [
                ("query", ["--query", query]),
                ("transcript", ["--transcript-file", ExecutableTests.fixtures.appendingPathComponent(transcript).path]),
            ]
            if clip == "speech-16k-mono.wav" {
                // Every occurrence: how many the model reports is part of the answer.
                requests += [
                    ("all", ["--query", "wood", "--occurrence", "all"]),
                    ("all-absent", ["--query", "elephant", "--occurrence", "all"]),
                ]
            }
            for (kind, arguments) in requests {
                let outcome = try GroundProcess.run([ExecutableTests.fixtures.appendingPathComponent(clip).path] + arguments)
                XCTAssertEqual(outcome.status, 0, "\(clip) \(kind): \(outcome.stderr)")
                let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
                var answer: [String: Any] = ["timestamps": object["timestamps"] ?? []]
                if let count = object["expected_count"] { answer["expected_count"] = count }
                answers["\(clip)|\(kind)"] = answer
            }
        }
        return answers
    }

    func testBundledModelAnswersOnFixtures() throws {
        let answers = try answers()
        if ProcessInfo.processInfo.environment["GROUND_RECORD_EXPECTATIONS"] == "1" {
            let data = try JSONSerialization.data(withJSONObject: answers, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: Self.expectationsFile)
            return print("recorded \(answers.count) answers in \(Self.expectationsFile.path)")
        }
        let expected = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: Self.expectationsFile)) as? [String: [String: Any]],
            "missing \(Self.expectationsFile.path): run scripts/update-fixture-expectations.sh")
        XCTAssertEqual(Set(expected.keys), Set(answers.keys))
        for (key, want) in expected {
            let got = try XCTUnwrap(answers[key] as? [String: Any], key)
            let wantStamps = try XCTUnwrap(want["timestamps"] as? [[String: Any]], key)
            let gotStamps = try XCTUnwrap(got["timestamps"] as? [[String: Any]], key)
            XCTAssertEqual(gotStamps.compactMap { $0["word"] as? String }, wantStamps.compactMap { $0["word"] as? String }, key)
            for (g, w) in zip(gotStamps, wantStamps) {
                for field in ["start", "end"] {
                    let a = try XCTUnwrap(g[field] as? Double), b = try XCTUnwrap(w[field] as? Double)
                    XCTAssertEqual(a, b, accuracy: Self.tolerance, "\(key) \(w["word"] ?? "") \(field)")
                }
            }
            if let count = want["expected_count"] as? Double {
                XCTAssertEqual(try XCTUnwrap(got["expected_count"] as? Double, key), count, accuracy: 0.05, key)
            }
        }
    }
}
