import GroundCLI
import XCTest

final class ArgumentParserTests: XCTestCase {
    let parser = ArgumentParser(options: [
        .option("query", short: "q", value: "WORD", help: "word"),
        .option("start", value: "SECONDS", default: "0", help: "start"),
        .option("threads", short: "j", value: "N", help: "threads"),
        .flag("quiet", help: "quiet"),
    ])

    func testLongShortAndInlineForms() throws {
        let parsed = try parser.parse(["a.wav", "--query", "much", "-j", "2", "b.wav", "--start=1.5", "--quiet"])
        XCTAssertEqual(parsed.positionals, ["a.wav", "b.wav"])
        XCTAssertEqual(parsed.value("query"), "much")
        XCTAssertEqual(try parsed.integer("threads", in: 1...8), 2)
        XCTAssertEqual(try parsed.seconds("start"), 1.5)
        XCTAssertTrue(parsed.has("quiet"))
        XCTAssertFalse(parsed.has("missing"))
    }

    func testDoubleDashEndsOptions() throws {
        let parsed = try parser.parse(["--quiet", "--", "--query", "-x.wav"])
        XCTAssertEqual(parsed.positionals, ["--query", "-x.wav"])
    }

    func testMistakes() {
        assertUsageError(["--qury", "x"], contains: "unknown option --qury (did you mean --query?)")
        assertUsageError(["--zzzzzz"], contains: "unknown option --zzzzzz")
        assertUsageError(["-x"], contains: "unknown option -x")
        assertUsageError(["--query"], contains: "--query needs a value")
        assertUsageError(["--query", "--quiet"], contains: "--query needs a value")
        assertUsageError(["-q", "a", "--query", "b"], contains: "more than once")
        assertUsageError(["--quiet=yes"], contains: "takes no value")
    }

    func testNumbersAreValidated() throws {
        // A negative number is taken as the value, then rejected with a precise message.
        let parsed = try parser.parse(["--start", "-2", "--threads", "0"])
        XCTAssertThrowsError(try parsed.seconds("start")) { XCTAssertTrue("\($0)".contains("non-negative")) }
        XCTAssertThrowsError(try parsed.integer("threads", in: 1...8)) { XCTAssertTrue("\($0)".contains("from 1 to 8")) }
        XCTAssertThrowsError(try parser.parse(["--start", "nan"]).seconds("start"))
    }

    func testHelpListsEveryOptionWithDefaults() {
        let help = parser.helpText()
        for name in ["-q, --query WORD", "--start SECONDS", "-j, --threads N", "--quiet", "(default: 0)"] {
            XCTAssertTrue(help.contains(name), "help lacks \(name):\n\(help)")
        }
    }

    private func assertUsageError(_ arguments: [String], contains text: String, line: UInt = #line) {
        XCTAssertThrowsError(try parser.parse(arguments), line: line) { error in
            XCTAssertTrue(error is UsageError, line: line)
            XCTAssertTrue("\(error)".contains(text), "\(error)", line: line)
        }
    }
}
