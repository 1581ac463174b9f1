import Foundation
import GroundCore
import XCTest

/// TextGrids written by `TextGridWriter`, read back by the independent `PraatTextGrid` reader:
/// the same words and times as the result, and intervals that tile the file.
final class TextGridTests: XCTestCase {
    static let model = GroundingResult.ModelSummary(name: "tiny", head: "poisson", parameters: 1)

    func result(duration: Double, _ stamps: [(String, Double, Double)]) -> GroundingResult {
        GroundingResult(
            file: "clip.wav", duration: duration, model: Self.model, task: .transcript(words: stamps.map(\.0)),
            expectedCount: nil, timestamps: stamps.map { .init(word: $0.0, start: $0.1, end: $0.2, score: 0.5) })
    }

    func read(_ result: GroundingResult, line: UInt = #line) throws -> (PraatTextGrid, PraatTextGrid.Tier) {
        let grid = try PraatTextGrid(try TextGridWriter().document([result]))
        XCTAssertEqual(grid.tiers.count, 1, line: line)
        let tier = try XCTUnwrap(grid.tiers.first)
        XCTAssertEqual(tier.tierClass, "IntervalTier", line: line)
        XCTAssertEqual(tier.name, "words", line: line)
        XCTAssertEqual(grid.tilingProblems(of: tier), [], line: line)
        return (grid, tier)
    }

    /// Words apart from each other: exactly the result's words and times (to the millisecond),
    /// with empty intervals before, between and after them.
    func testWordsAndTimesReadBackUnchanged() throws {
        let stamps = [("how", 0.1234, 0.31), ("say \"hi\"", 0.5, 0.9), ("end", 1.2005, 1.853)]
        let (grid, tier) = try read(result(duration: 1.853, stamps))
        XCTAssertEqual(grid.xmin, 0)
        XCTAssertEqual(grid.xmax, 1.853)
        XCTAssertEqual(
            grid.words(of: tier),
            [.init(xmin: 0.123, xmax: 0.31, text: "how"), .init(xmin: 0.5, xmax: 0.9, text: "say \"hi\""),
             .init(xmin: 1.201, xmax: 1.853, text: "end")])
        XCTAssertEqual(tier.intervals.map(\.text), ["", "how", "", "say \"hi\"", "", "end"])
    }

    /// Overlapping words end where the next begins; a word at its predecessor's start gets 1 ms.
    func testOverlapsAreResolvedIntoATiling() throws {
        let stamps = [("one", 0.2, 0.5), ("two", 0.4, 0.9), ("three", 0.4, 1.0), ("four", 1.2, 1.5)]
        let (_, tier) = try read(result(duration: 2, stamps))
        XCTAssertEqual(
            tier.intervals,
            [.init(xmin: 0, xmax: 0.2, text: ""), .init(xmin: 0.2, xmax: 0.4, text: "one"),
             .init(xmin: 0.4, xmax: 0.401, text: "two"), .init(xmin: 0.401, xmax: 1, text: "three"),
             .init(xmin: 1, xmax: 1.2, text: ""), .init(xmin: 1.2, xmax: 1.5, text: "four"),
             .init(xmin: 1.5, xmax: 2, text: "")])
    }

    /// Words crowded at the very end of the file are pulled back inside it; no words at all give
    /// one empty interval.
    func testEdgesOfTheFile() throws {
        let (_, crowded) = try read(result(duration: 1, [("a", 0.999, 1.0), ("b", 0.999, 1.0), ("c", 1.0, 1.01)]))
        XCTAssertEqual(crowded.intervals.map(\.text), ["", "a", "b", "c"])
        XCTAssertEqual(crowded.intervals.last, .init(xmin: 0.999, xmax: 1, text: "c"))
        let (_, empty) = try read(result(duration: 0.5, []))
        XCTAssertEqual(empty.intervals, [.init(xmin: 0, xmax: 0.5, text: "")])
    }

    /// Random results, including overlaps, ties, words out of order and words crowding the end:
    /// always a tiling with the words in their order, and every boundary that differs from the
    /// model's (rounded) time has its reason: pushed after the previous word, cut at the next
    /// word's start, stretched to 1 ms, or pulled back inside the file.
    func testRandomResultsAlwaysTile() throws {
        var random = SplitMix64(seed: 11)
        let ms = { (seconds: Double) in (seconds * 1000).rounded() / 1000 }
        for _ in 0..<300 {
            let duration = 0.02 + random.nextUnitDouble() * 3
            var stamps: [(String, Double, Double)] = (0..<Int(random.next() % 12)).map { _ in
                let start = ms(random.nextUnitDouble() * duration)
                return ("", start, min(duration, start + 0.01 + random.nextUnitDouble() * 0.5))
            }.sorted { $0.1 < $1.1 }
            for index in stamps.indices.dropFirst() where random.next() % 5 == 0 { stamps.swapAt(index - 1, index) }
            for index in stamps.indices { stamps[index].0 = "w\(index)" }

            let (grid, tier) = try read(result(duration: duration, stamps))
            let words = grid.words(of: tier)
            XCTAssertEqual(words.map(\.text), stamps.map(\.0))
            for (index, (word, stamp)) in zip(words, stamps).enumerated() {
                let previousEnd = index > 0 ? words[index - 1].xmax : nil
                let nextStart = index + 1 < words.count ? words[index + 1].xmin : grid.xmax
                let pulledBack = abs(word.xmax - word.xmin - 0.001) < 1e-9 && abs(word.xmax - nextStart) < 1e-9
                XCTAssertTrue(
                    abs(word.xmin - ms(stamp.1)) < 1e-9 || word.xmin == previousEnd || pulledBack,
                    "start of \(word) for \(stamps)")
                XCTAssertTrue(
                    abs(word.xmax - max(ms(stamp.2), ms(stamp.1) + 0.001)) < 1e-9 || word.xmax == nextStart
                        || abs(word.xmax - word.xmin - 0.001) < 1e-9,
                    "end of \(word) for \(stamps)")
            }
        }
    }

    func testReaderRejectsBrokenFiles() {
        let good = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0\nxmax = 1\ntiers? <exists>\nsize = 1\n"
            + "item []:\n    item [1]:\n        class = \"IntervalTier\"\n        name = \"words\"\n        xmin = 0\n"
            + "        xmax = 1\n        intervals: size = 1\n        intervals [1]:\n            xmin = 0\n"
            + "            xmax = 1\n            text = \"a \"\"b\"\"\"\n"
        XCTAssertEqual(try PraatTextGrid(good).tiers.first?.intervals.first?.text, "a \"b\"")
        XCTAssertThrowsError(try PraatTextGrid(good.replacingOccurrences(of: "intervals: size = 1", with: "intervals: size = 2")))
        XCTAssertThrowsError(try PraatTextGrid(good.replacingOccurrences(of: "\"a \"\"b", with: "\"a \"b")))
        XCTAssertThrowsError(try PraatTextGrid(good.replacingOccurrences(of: "ooTextFile", with: "binary")))
    }
}
