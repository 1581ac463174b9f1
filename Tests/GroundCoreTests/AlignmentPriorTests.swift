import Foundation
import GroundCore
import XCTest

final class AlignmentPriorTests: XCTestCase {
    /// Exact posteriors of word starts and ends against enumerating every path of the
    /// filler* · CTC · filler* topology on tiny problems.
    func testPosteriorsMatchPathEnumeration() {
        let cases: [(frames: Int, words: [[Int]])] = [(3, [[1]]), (5, [[1], [2]]), (6, [[1, 1]]), (6, [[2], [2]]), (7, [[1, 2], [1]])]
        for (frames, words) in cases {
            let classes = 3
            var generator = SplitMix64(seed: UInt64(frames * 7 + words.count))
            let logits = (0..<(frames * classes)).map { _ in Float(generator.nextUnitDouble() * 4 - 2) }
            let fast = logits.withUnsafeBufferPointer {
                AlignmentPrior.posteriors(logits: $0.baseAddress!, frames: frames, classes: classes, words: words)
            }
            let slow = enumerate(logits: logits, frames: frames, classes: classes, words: words)
            for t in 0..<frames {
                XCTAssertEqual(fast.starts[t], slow.starts[t], accuracy: 1e-9, "starts, T=\(frames) \(words) t=\(t)")
                XCTAssertEqual(fast.ends[t], slow.ends[t], accuracy: 1e-9, "ends, T=\(frames) \(words) t=\(t)")
            }
            // Each word starts and ends exactly once.
            XCTAssertEqual(fast.starts.reduce(0, +), Double(words.count), accuracy: 1e-9)
            XCTAssertEqual(fast.ends.reduce(0, +), Double(words.count), accuracy: 1e-9)
        }
    }

    /// A clear character spike places the word there.
    func testFindsTheSpokenWord() {
        let frames = 20, classes = 4
        var logits = [Float](repeating: 0, count: frames * classes)
        for t in 0..<frames { logits[t * classes] = 5 }  // blank everywhere...
        logits[7 * classes + 2] = 10  // ...but "b" at frame 7 and "c" at frame 9
        logits[9 * classes + 3] = 10
        let posterior = logits.withUnsafeBufferPointer {
            AlignmentPrior.posteriors(logits: $0.baseAddress!, frames: frames, classes: classes, words: [[2, 3]])
        }
        XCTAssertGreaterThan(posterior.starts[7], 0.99)
        XCTAssertGreaterThan(posterior.ends[9], 0.99)
    }

    /// Per-word anchors: each word's most likely start and end frame, one per given word; a word
    /// without CTC labels takes the next spelled word's start.
    func testWordAnchors() {
        let frames = 30, classes = 4
        var logits = [Float](repeating: 0, count: frames * classes)
        for t in 0..<frames { logits[t * classes] = 5 }
        for (t, c) in [(4, 1), (5, 2), (12, 3), (20, 2), (22, 1)] { logits[t * classes + c] = 10 }
        let posterior = logits.withUnsafeBufferPointer {
            AlignmentPrior.posteriors(logits: $0.baseAddress!, frames: frames, classes: classes, words: [[1, 2], [3], [], [2, 1]])
        }
        XCTAssertEqual(posterior.wordStarts, [4, 12, 20, 20])
        XCTAssertEqual(posterior.wordEnds, [5, 12, 20, 22])
        XCTAssertEqual(posterior.wordStartConfidence.count, 4)
        XCTAssertGreaterThan(posterior.wordStartConfidence[0], 0.99)
        XCTAssertEqual(posterior.wordStartConfidence[2], 0)
        // The stored neighbourhoods give P(start_i = t) near each anchor: word 0 starts at frame
        // 4 almost surely, nowhere else, and nothing is stored far from the anchor.
        XCTAssertGreaterThan(posterior.startProbability(word: 0, frame: 4), 0.99)
        XCTAssertLessThan(posterior.startProbability(word: 0, frame: 5), 0.01)
        XCTAssertEqual(posterior.startProbability(word: 0, frame: 4 + AlignmentPrior.Posteriors.neighbourhood + 1), 0)
        XCTAssertEqual(posterior.startProbability(word: 2, frame: 20), posterior.startProbability(word: 3, frame: 20))
        XCTAssertGreaterThan(posterior.endProbability(word: 3, frame: 22), 0.99)
        XCTAssertEqual(posterior.endProbability(word: 2, frame: 20), posterior.startProbability(word: 2, frame: 20))
        // Text that cannot fit (more characters than frames) gives no anchors.
        let short = logits.withUnsafeBufferPointer {
            AlignmentPrior.posteriors(logits: $0.baseAddress!, frames: 2, classes: classes, words: [[1, 2, 3]])
        }
        XCTAssertTrue(short.wordStarts.isEmpty)
    }

    private func enumerate(logits: [Float], frames: Int, classes: Int, words: [[Int]]) -> (starts: [Double], ends: [Double]) {
        let characters = words.flatMap { $0 }
        let sequenceLength = 2 * characters.count + 1, states = sequenceLength + 2, trailing = states - 1
        func label(_ s: Int) -> Int { s % 2 == 1 ? 0 : characters[s / 2 - 1] }
        func score(_ t: Int, _ s: Int) -> Double {
            if s == 0 || s == trailing { return 0 }
            let row = (0..<classes).map { Double(logits[t * classes + $0]) }
            return row[label(s)] - row.max()!
        }
        func allowed(_ a: Int, _ b: Int) -> Bool {
            if a == b { return true }
            if b == trailing { return a == sequenceLength || a == sequenceLength - 1 }
            if a == 0 { return b == 1 || b == 2 }
            if a == trailing { return false }
            if b == a + 1 { return true }
            return b == a + 2 && b % 2 == 0 && b >= 4 && label(b) != label(b - 2)
        }
        var starts = [Double](repeating: 0, count: frames), ends = [Double](repeating: 0, count: frames)
        var total = 0.0
        var firstStates: [Int] = [], lastStates: [Int] = []
        var offset = 0
        for word in words {
            firstStates.append(2 * (offset + 1))
            lastStates.append(2 * (offset + word.count))
            offset += word.count
        }
        func walk(_ path: [Int], _ weight: Double) {
            if path.count == frames {
                guard [trailing, sequenceLength, sequenceLength - 1].contains(path.last!) else { return }
                let w = exp(weight)
                total += w
                for (first, last) in zip(firstStates, lastStates) {
                    if let t = path.firstIndex(of: first) { starts[t] += w }
                    if let t = path.lastIndex(of: last) { ends[t] += w }
                }
                return
            }
            let t = path.count
            let candidates = t == 0 ? [0, 1, 2] : (0..<states).filter { allowed(path.last!, $0) }
            for s in candidates { walk(path + [s], weight + score(t, s)) }
        }
        walk([], 0)
        return (starts.map { $0 / total }, ends.map { $0 / total })
    }
}
