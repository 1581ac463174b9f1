import Foundation
import GroundCore
import XCTest

final class PronunciationsTests: XCTestCase {
    func dictionary(_ text: String) throws -> Pronunciations {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cmudict-\(UUID().uuidString).dict").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Pronunciations(cmuDictionaryAt: path)
    }

    /// CMU format: stress digits dropped, first pronunciation kept, comments and multi-word
    /// entries skipped, words normalised.
    func testReadsTheCMUFormat() throws {
        let lexicon = try dictionary("""
            ;;; a comment
            much M AH1 CH
            wood W UH1 D
            wood(2) W AH1 D
            Café K AE0 F EY1
            new-york N UW1 Y AO1 R K
            """)
        XCTAssertEqual(lexicon.count, 3)
        XCTAssertEqual(lexicon.phones, ["AE", "AH", "CH", "D", "EY", "F", "K", "M", "UH", "W"])
        XCTAssertEqual(lexicon.phoneIndices(of: "much"), [7, 1, 2])
        XCTAssertEqual(lexicon.phoneIndices(of: "wood"), [9, 8, 3])
        XCTAssertEqual(lexicon.phoneIndices(of: "cafe"), [6, 0, 5, 4])
        XCTAssertNil(lexicon.phoneIndices(of: "woodchuck"))
        // Lines whose phones are not upper-case symbols are not pronunciations.
        XCTAssertThrowsError(try dictionary("no pronunciations here\n;;; M AH\n"))
    }

    /// Phones for listed words, characters for the rest; the model file keeps the dictionary.
    func testCTCLabelsAndModelFileRoundTrip() throws {
        var config = ModelConfig.preset("tiny")!
        config.ctcHead = true
        config.alignmentPrior = true
        XCTAssertEqual(config.ctcLabels("much"), Vocabulary.ctcLabels("much"))
        config.pronunciations = try dictionary("much M AH1 CH\nwood W UH1 D\n")
        XCTAssertEqual(config.ctcClasses, Vocabulary.ctcClasses + 6)  // AH CH D M UH W
        XCTAssertEqual(config.ctcLabels("much"), [38 + 3, 38 + 0, 38 + 1])
        XCTAssertEqual(config.ctcLabels("ab"), Vocabulary.ctcLabels("ab"))
        let tokens = try config.vocabulary.encode(.transcript(words: ["much", "ab", "wood"]))
        XCTAssertEqual(config.ctcWords(tokens: tokens), [[41, 38, 39], Vocabulary.ctcLabels("ab"), [43, 42, 40]])

        let model = try GroundingModel(config: config, seed: 3)
        let loaded = try GroundingModel(file: try ModelFile.decode(try model.file().encoded()))
        XCTAssertEqual(loaded.config, config)
        XCTAssertEqual(loaded.config.ctcLabels("wood"), config.ctcLabels("wood"))
    }
}
