import Foundation

/// A monotonic-alignment prior computed from the encoder's CTC character posteriors and the
/// task's text: where does each word of the text most likely start and end?
///
/// The text's characters c₁…c_m (spaces dropped) form a CTC sequence ∅ c₁ ∅ c₂ … c_m ∅, framed
/// by a leading and a trailing filler that absorbs any audio around it:
///
///     filler* · CTC(c₁…c_m) · filler*
///
/// Emissions are posterior ratios e_t(c) = log p_t(c) − max_c' log p_t(c') (so every frame's best
/// class scores 0) and the filler scores 0: the text must occur exactly once, and the only question
/// is where. The forward (α) and backward (β) recursions in log space give, for word i,
///
///     P(start_i = t) ∝ Σ_{s' → s_i, s' ≠ s_i} α_{t−1}(s') · e_t(s_i) · β_t(s_i)   (first emission of its first character)
///     P(end_i = t)   ∝ α_t(ŝ_i) · Σ_{ŝ_i → s'', s'' ≠ ŝ_i} e_{t+1}(s'') · β_{t+1}(s'')   (last emission of its last character)
///
/// and the features per frame are the expected numbers of word starts and ends, their logs, and
/// the text's fit log Z / m (the same on every frame; low when the text is absent). They enter the
/// decoder as extra inputs, so it reads "where the text is" instead of having to discover
/// alignment through cross-attention alone. No gradient flows through the recursion: the CTC head
/// is trained by its own loss.
public enum AlignmentPrior {
    /// Feature channels per frame.
    public static let channels = 5
    static let logFloor = 1e-3

    /// - Parameters:
    ///   - logits: CTC logits (frames, classes), class 0 the blank.
    ///   - words: each word's CTC labels (1..<classes); words without labels are skipped.
    ///   - features: receives (frames, `channels`) values.
    /// - Returns: the posteriors the features come from (the per-word anchors guide decoding).
    @discardableResult
    public static func features(
        logits: UnsafePointer<Float>, frames: Int, classes: Int, words: [[Int]], into features: UnsafeMutablePointer<Float>
    ) -> Posteriors {
        let posterior = posteriors(logits: logits, frames: frames, classes: classes, words: words)
        for t in 0..<frames {
            let row = features + t &* channels
            row[0] = Float(posterior.starts[t])
            row[1] = Float(posterior.ends[t])
            row[2] = Float(log(logFloor + posterior.starts[t]))
            row[3] = Float(log(logFloor + posterior.ends[t]))
            row[4] = Float(posterior.fit)
        }
        return posterior
    }

    public struct Posteriors {
        /// Σ_i P(start_i = t) and Σ_i P(end_i = t) per frame.
        public var starts: [Double]
        public var ends: [Double]
        /// log Z / m: the average log posterior ratio per character of the best placements.
        public var fit: Double
        /// Each word's most likely start and end frame (argmax of P(start_i = t), P(end_i = t)),
        /// one per word given to `posteriors`; empty when the text cannot be placed.
        public var wordStarts: [Int] = []
        public var wordEnds: [Int] = []
        /// P(start_i within one frame of `wordStarts[i]`): how sure the prior is of word i's place.
        public var wordStartConfidence: [Double] = []
        /// P(start_i = t) and P(end_i = t) for t within ±`neighbourhood` frames of word i's mode
        /// (index t − mode + neighbourhood), for decoding; the full rows would cost frames × words.
        public var wordStartNeighbourhoods: [[Double]] = []
        public var wordEndNeighbourhoods: [[Double]] = []
        public static let neighbourhood = 6

        /// P(start_i = t); 0 outside the stored neighbourhood of word i's start mode.
        public func startProbability(word i: Int, frame t: Int) -> Double {
            Self.probability(wordStartNeighbourhoods[i], mode: wordStarts[i], frame: t)
        }

        /// P(end_i = t); 0 outside the stored neighbourhood of word i's end mode.
        public func endProbability(word i: Int, frame t: Int) -> Double {
            Self.probability(wordEndNeighbourhoods[i], mode: wordEnds[i], frame: t)
        }

        private static func probability(_ row: [Double], mode: Int, frame: Int) -> Double {
            let index = frame - mode + neighbourhood
            return row.indices.contains(index) ? row[index] : 0
        }

        /// The values of `row` within ±`neighbourhood` of `mode`, 0 beyond the row.
        static func neighbourhood(of row: [Double], around mode: Int) -> [Double] {
            (mode - neighbourhood...mode + neighbourhood).map { row.indices.contains($0) ? row[$0] : 0 }
        }
    }

    public static func posteriors(logits: UnsafePointer<Float>, frames: Int, classes: Int, words allWords: [[Int]]) -> Posteriors {
        var result = spelledPosteriors(logits: logits, frames: frames, classes: classes, words: allWords.filter { !$0.isEmpty })
        // A word without CTC labels (no letter or digit) sits where the next spelled word starts.
        guard !result.wordStarts.isEmpty else { return result }
        var starts: [Int] = [], ends: [Int] = [], confidence: [Double] = []
        var startNeighbourhoods: [[Double]] = [], endNeighbourhoods: [[Double]] = [], spelled = 0
        for word in allWords {
            let index = min(spelled, result.wordStarts.count - 1)
            starts.append(result.wordStarts[index])
            confidence.append(word.isEmpty ? 0 : result.wordStartConfidence[index])
            startNeighbourhoods.append(result.wordStartNeighbourhoods[index])
            // An unspelled word ends where it starts.
            ends.append(word.isEmpty ? result.wordStarts[index] : result.wordEnds[index])
            endNeighbourhoods.append(word.isEmpty ? result.wordStartNeighbourhoods[index] : result.wordEndNeighbourhoods[index])
            if !word.isEmpty { spelled += 1 }
        }
        result.wordStarts = starts
        result.wordEnds = ends
        result.wordStartConfidence = confidence
        result.wordStartNeighbourhoods = startNeighbourhoods
        result.wordEndNeighbourhoods = endNeighbourhoods
        return result
    }

    private static func spelledPosteriors(logits: UnsafePointer<Float>, frames: Int, classes: Int, words: [[Int]]) -> Posteriors {
        let characters = words.flatMap { $0 }
        var result = Posteriors(starts: [Double](repeating: 0, count: frames), ends: [Double](repeating: 0, count: frames), fit: 0)
        guard !characters.isEmpty, frames > 0 else { return result }

        // Emission scores e_t(c) = log p_t(c) − max log p_t = z_t(c) − max z_t.
        var emission = [Double](repeating: 0, count: frames * classes)
        for t in 0..<frames {
            let row = logits + t &* classes
            var maximum = -Double.infinity
            for c in 0..<classes { maximum = max(maximum, Double(row[c])) }
            // log p_t(c) − max log p_t = (z − log Σ e^z) − (max z − log Σ e^z) = z − max z.
            for c in 0..<classes { emission[t * classes + c] = Double(row[c]) - maximum }
        }

        // States: 0 = leading filler, 1...S = CTC sequence (odd: blank, even: character), S+1 = trailing filler.
        let sequenceLength = 2 * characters.count + 1
        let states = sequenceLength + 2
        let trailing = states - 1
        func label(_ state: Int) -> Int { state % 2 == 1 ? 0 : characters[state / 2 - 1] }
        func score(_ t: Int, _ state: Int) -> Double {
            state == 0 || state == trailing ? 0 : emission[t * classes + label(state)]
        }
        /// Predecessors of a state (besides itself).
        func predecessorList(_ state: Int) -> [Int] {
            switch state {
            case 0: return []
            case 1: return [0]
            case 2: return [0, 1]
            case trailing: return [sequenceLength, sequenceLength - 1]
            default:
                var list = [state - 1]
                if state % 2 == 0, state >= 4, label(state) != label(state - 2) { list.append(state - 2) }
                return list
            }
        }
        // Computed once: the recursions below visit every (frame, state) pair.
        let predecessors = (0..<states).map(predecessorList)
        let minusInfinity = -Double.infinity
        var alpha = [Double](repeating: minusInfinity, count: frames * states)
        var beta = [Double](repeating: minusInfinity, count: frames * states)
        for state in [0, 1, 2] { alpha[state] = score(0, state) }
        for t in 1..<max(1, frames) {
            for state in 0..<states {
                var a = alpha[(t - 1) * states + state]
                for p in predecessors[state] { a = CTCHead.logAdd(a, alpha[(t - 1) * states + p]) }
                alpha[t * states + state] = a + score(t, state)
            }
        }
        let last = frames - 1
        for state in [trailing, sequenceLength, sequenceLength - 1] { beta[last * states + state] = 0 }
        // Successors, derived from the predecessor lists once.
        var successors = [[Int]](repeating: [], count: states)
        for state in 0..<states { for p in predecessors[state] { successors[p].append(state) } }
        for t in stride(from: last - 1, through: 0, by: -1) {
            for state in 0..<states {
                var b = beta[(t + 1) * states + state] + score(t + 1, state)
                for next in successors[state] { b = CTCHead.logAdd(b, beta[(t + 1) * states + next] + score(t + 1, next)) }
                beta[t * states + state] = b
            }
        }
        var logZ = minusInfinity
        for state in [trailing, sequenceLength, sequenceLength - 1] { logZ = CTCHead.logAdd(logZ, alpha[last * states + state]) }
        guard logZ.isFinite else { return result }
        result.fit = logZ / Double(characters.count)

        // The state of each word's first and last character.
        var offset = 0
        for word in words {
            let first = 2 * (offset + 1), lastState = 2 * (offset + word.count)
            offset += word.count
            var bestStart = (probability: -1.0, frame: 0), bestEnd = (probability: -1.0, frame: 0)
            var wordStart = [Double](repeating: 0, count: frames), wordEnd = [Double](repeating: 0, count: frames)
            for t in 0..<frames {
                // Enter `first` at t from a different state (or start there at t = 0).
                var entry = minusInfinity
                if t == 0 {
                    entry = alpha[first]  // finite only when `first` is an initial state
                } else {
                    for p in predecessors[first] { entry = CTCHead.logAdd(entry, alpha[(t - 1) * states + p]) }
                    entry += score(t, first)
                }
                let start = exp(entry + beta[t * states + first] - logZ)
                result.starts[t] += start
                wordStart[t] = start
                if start > bestStart.probability { bestStart = (start, t) }
                // Leave `lastState` after t (or end there at the last frame).
                var exit = minusInfinity
                if t == last {
                    exit = beta[t * states + lastState]
                } else {
                    for next in successors[lastState] { exit = CTCHead.logAdd(exit, beta[(t + 1) * states + next] + score(t + 1, next)) }
                }
                let end = exp(alpha[t * states + lastState] + exit - logZ)
                result.ends[t] += end
                wordEnd[t] = end
                if end > bestEnd.probability { bestEnd = (end, t) }
            }
            result.wordStarts.append(bestStart.frame)
            result.wordEnds.append(bestEnd.frame)
            result.wordStartConfidence.append(
                wordStart[max(0, bestStart.frame - 1)...min(last, bestStart.frame + 1)].reduce(0, +))
            result.wordStartNeighbourhoods.append(Posteriors.neighbourhood(of: wordStart, around: bestStart.frame))
            result.wordEndNeighbourhoods.append(Posteriors.neighbourhood(of: wordEnd, around: bestEnd.frame))
        }
        return result
    }
}
