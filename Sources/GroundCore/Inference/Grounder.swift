import Foundation

/// The whole inference pipeline for one clip: features → model → frame head → extractor →
/// timestamps in seconds.
///
/// Poisson head: starts come from channel 0 and ends from channel 1 by the posterior mode of each
/// order statistic (eqs. 6–8); an end is searched only after its start, so ends never precede
/// starts. Binary head: the top-k frames of each channel by probability, at frame centres (§2.1).
/// Transcripts on a model with the alignment prior are read by prior-guided peaks instead
/// (`GuidedPeaks`; `transcriptDecoding = .head` restores the paper's extractors): each word's
/// start is the best frame near the prior's lag-corrected anchor by the head's score plus the
/// prior's log-probability, and its score is the prior's probability that the word starts within
/// one frame of that anchor. `--occurrence all` answers that overlap the previous one are dropped
/// (`distinctOccurrences`). Each task is read on `frameGrids` frame grids and the timestamps that
/// agree are averaged.
/// Every word gets at least `minimumWordDuration`, clipped to the audio.
public final class Grounder: @unchecked Sendable {
    public let model: GroundingModel
    /// A short name for reports: the model file's base name.
    public let name: String
    public let extractor: LogMelExtractor
    /// The shortest word: ends follow starts by at least this, and (guided decoding) so do the
    /// starts of consecutive words.
    /// (30 ms separation instead cost 1.5 points of starts within 40 ms on synthetic development speech.)
    public static let minimumWordDuration = 0.01

    /// How a transcript's n words are read from the head.
    public enum TranscriptDecoding: String, Sendable, CaseIterable {
        /// Prior-guided peaks (`GuidedPeaks`) when the model has an alignment prior; otherwise
        /// the head's own extractor.
        case guided
        /// The paper's extractor only: order statistics (Poisson) or top-k (binary).
        case head
    }
    public var transcriptDecoding = TranscriptDecoding.guided
    /// Frames searched on each side of the prior's lag-corrected anchor (±80 ms at 40 ms frames).
    public var guidedWindow = 2
    /// α of `GuidedPeaks.AnchorPrior`, and its lag ℓ for starts and for ends, chosen on the
    /// development sets (synthetic `dev`, speechocean `test`); README, "Learning to use the text".
    /// A word's first label is emitted after its onset (ℓ = 1), its last before its offset (ℓ = −1).
    public var guidedPriorWeight = 0.15
    public var guidedStartLag = 1
    public var guidedEndLag = -1
    /// Frame grids read per clip (test-time shifts). Grid j drops the first round(j · 4 / G) 10 ms
    /// log-mel frames, so its 40 ms frames start j · 40/G ms later; each grid places every event to
    /// sub-frame precision, and the estimates within one frame of grid 0's are averaged, which
    /// averages out part of the error of placing events inside 40 ms frames. Costs G forward
    /// passes. README, "Frame grids", has the measurements behind the default (2).
    public var frameGrids = Grounder.defaultFrameGrids
    public static let defaultFrameGrids = 2

    public init(model: GroundingModel, name: String) throws {
        self.model = model
        self.name = name
        extractor = try LogMelExtractor(config: model.config.features)
    }

    /// Loads a model file.
    public convenience init(path: String) throws {
        let model = try GroundingModel(file: try ModelFile.read(path: path), path: path)
        try self.init(model: model, name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
    }

    public var summary: GroundingResult.ModelSummary {
        .init(name: name, head: model.config.head.rawValue, parameters: model.parameterCount)
    }

    /// Grounds `task` in `audio` (at the model's sample rate). `timeOffset` is added to every time
    /// (the `--start` of a trimmed clip), so times stay relative to the file.
    public func ground(
        audio: Audio, task: GroundingTask, file: String, timeOffset: Double = 0, threads: Int = 1
    ) throws -> GroundingResult {
        let features = try extractor.features(of: audio, threads: threads)
        return try ground(features: features, duration: audio.duration, task: task, file: file, timeOffset: timeOffset)
    }

    /// Grounds `task` in precomputed log-mel `features` of a clip lasting `duration` seconds,
    /// reading it on `frameGrids` frame grids.
    public func ground(
        features: FeatureMatrix, duration: Double, task: GroundingTask, file: String, timeOffset: Double = 0
    ) throws -> GroundingResult {
        var result = try groundOnce(features: features, duration: duration, task: task, file: file, timeOffset: timeOffset)
        let step = model.config.framesPerStep
        let grids = min(frameGrids, step)
        guard grids > 1, !result.timestamps.isEmpty else { return result }
        let frameDuration = model.config.frameDuration, melDuration = model.config.features.frameDuration
        var starts = result.timestamps.map { [$0.start] }, ends = result.timestamps.map { [$0.end] }
        for grid in 1..<grids {
            let dropped = (grid * step + grids / 2) / grids
            guard features.frames > dropped + step else { break }
            let trimmed = FeatureMatrix(
                values: Array(features.values[(dropped * features.bins)...]), frames: features.frames - dropped, bins: features.bins)
            let shift = Double(dropped) * melDuration
            let other = try groundOnce(
                features: trimmed, duration: duration - shift, task: task, file: file, timeOffset: timeOffset + shift)
            guard other.timestamps.count == result.timestamps.count else { continue }
            for (i, stamp) in other.timestamps.enumerated() {
                if abs(stamp.start - result.timestamps[i].start) <= frameDuration { starts[i].append(stamp.start) }
                if abs(stamp.end - result.timestamps[i].end) <= frameDuration { ends[i].append(stamp.end) }
            }
        }
        // Averaging keeps each grid's order of starts except where a word's estimates were dropped.
        var previousStart = -Double.infinity
        for i in result.timestamps.indices {
            let start = max(previousStart, starts[i].reduce(0, +) / Double(starts[i].count))
            result.timestamps[i].start = start
            result.timestamps[i].end = max(ends[i].reduce(0, +) / Double(ends[i].count), start + Self.minimumWordDuration)
            previousStart = start
        }
        return result
    }

    /// One read of the clip on the frame grid that starts at its first log-mel frame.
    private func groundOnce(
        features: FeatureMatrix, duration: Double, task: GroundingTask, file: String, timeOffset: Double
    ) throws -> GroundingResult {
        let config = model.config
        let frames = max(1, (features.frames + config.framesPerStep - 1) / config.framesPerStep)
        let tokens = try config.vocabulary.encode(task)
        let workspace = ModelWorkspace(config: config, frames: frames, tokens: tokens.count, training: false)
        let logits = model.forward(features: features, tokens: tokens, workspace: workspace)
        let channels = config.headChannels
        let column = { (channel: Int) -> [Float] in (0..<frames).map { logits[$0 * channels + min(channel, channels - 1)] } }
        let starts = column(0), ends = column(1)
        // Poisson head: one posterior over the start intensity gives both Λ(T) and the modes.
        let startPosterior = config.head == .poisson ? PosteriorMode(logIntensity: starts) : nil

        let words: [String]
        var expectedCount: Double?
        var count: Int
        switch task {
        case .wordQuery(let query, let occurrence):
            expectedCount = startPosterior?.expectedCount
            switch occurrence {
            case .index: count = 1
            case .all:
                // Poisson: Λ(T) rounded (0 = the word is likely absent: no timestamps). Binary:
                // the frames that are local maxima with p > 0.5.
                if let expectedCount {
                    count = Int(expectedCount.rounded())
                } else {
                    count = starts.indices.filter { t in
                        starts[t] > 0 && (t == 0 || starts[t] >= starts[t - 1]) && (t + 1 == starts.count || starts[t] > starts[t + 1])
                    }.count
                }
            }
            words = Array(repeating: query, count: count)
        case .transcript(let transcript):
            words = transcript
            count = transcript.count
        }

        let frameDuration = config.frameDuration
        var stamps: [GroundingResult.Timestamp] = []
        if case .transcript = task, transcriptDecoding == .guided,
            let guided = guidedStamps(words: words, starts: starts, ends: ends, workspace: workspace,
                                      duration: duration, offset: timeOffset)
        {
            stamps = guided
        } else if let startPosterior {
            // Poisson head: posterior modes of the order statistics (eqs. 6–8).
            let endPosterior = PosteriorMode(logIntensity: ends)
            for i in stride(from: 1, through: count, by: 1) {
                let start = startPosterior.mode(event: i, of: count)
                let end = endPosterior.mode(event: i, of: count, notBefore: start)
                stamps.append(timestamp(
                    words[i - 1], start: start * frameDuration, end: end * frameDuration, duration: duration,
                    offset: timeOffset, score: startPosterior.confidence(at: start, event: i, of: count)))
            }
        } else {
            // Binary head: the top-k frames by probability (§2.1).
            let probabilities = starts.map { Float(BinaryHead.sigmoid(Double($0))) }
            let endProbabilities = ends.map { Float(BinaryHead.sigmoid(Double($0))) }
            let startFrames = probabilities.withUnsafeBufferPointer { TopK.frames(scores: $0.baseAddress!, count: frames, k: count) }
            let endFrames = endProbabilities.withUnsafeBufferPointer { TopK.frames(scores: $0.baseAddress!, count: frames, k: count) }
            for (i, frame) in startFrames.enumerated() {
                let start = (Double(frame) + 0.5) * frameDuration
                let end = i < endFrames.count ? (Double(endFrames[i]) + 0.5) * frameDuration : start
                stamps.append(timestamp(words[i], start: start, end: end, duration: duration, offset: timeOffset, score: Double(probabilities[frame])))
            }
        }
        if case .wordQuery(_, .all) = task { stamps = Self.distinctOccurrences(stamps) }
        return GroundingResult(
            file: file, duration: duration + timeOffset, model: summary, task: task, expectedCount: expectedCount,
            timestamps: stamps,
            curves: FrameCurves(
                head: config.head, startOutputs: starts, endOutputs: ends, frameDuration: frameDuration, offset: timeOffset))
    }

    /// Transcript timestamps by prior-guided peaks (`GuidedPeaks`); nil when the model has no
    /// alignment prior or the text cannot be placed, so the head's own extractor answers.
    private func guidedStamps(
        words: [String], starts: [Float], ends: [Float], workspace: ModelWorkspace,
        duration: Double, offset: Double
    ) -> [GroundingResult.Timestamp]? {
        let config = model.config
        // The forward already ran the prior's forward–backward for this text.
        guard let prior = workspace.priorPosteriors, prior.wordStarts.count == words.count else { return nil }
        let frameDuration = config.frameDuration
        let separation = Self.minimumWordDuration / frameDuration
        let startPrior = GuidedPeaks.AnchorPrior(weight: guidedPriorWeight, lag: guidedStartLag) { word, frame in
            prior.startProbability(word: word, frame: frame)
        }
        let endPrior = GuidedPeaks.AnchorPrior(weight: guidedPriorWeight, lag: guidedEndLag) { word, frame in
            prior.endProbability(word: word, frame: frame)
        }
        let startFrames = GuidedPeaks.positions(
            scores: starts, anchors: prior.wordStarts, window: guidedWindow, separation: separation, prior: startPrior)
        let endFrames = GuidedPeaks.positions(
            scores: ends, anchors: prior.wordEnds, window: guidedWindow, notBefore: startFrames.map { $0 + separation },
            prior: endPrior)
        return words.indices.map { i in
            // A word ends by the time the next one starts.
            let end = i + 1 < words.count ? min(endFrames[i], startFrames[i + 1]) : endFrames[i]
            return timestamp(
                words[i], start: startFrames[i] * frameDuration, end: end * frameDuration, duration: duration,
                offset: offset, score: prior.wordStartConfidence[i])
        }
    }

    /// Every occurrence of one word, in time order, without repeats: an answer that starts before
    /// the previous answer ends is the same occurrence read twice (one broad peak can hold two
    /// order statistics, or two of the top-k frames), so it is dropped.
    public static func distinctOccurrences(_ stamps: [GroundingResult.Timestamp]) -> [GroundingResult.Timestamp] {
        var kept: [GroundingResult.Timestamp] = []
        for stamp in stamps.sorted(by: { $0.start < $1.start }) {
            if let last = kept.last, stamp.start < last.end { continue }
            kept.append(stamp)
        }
        return kept
    }

    /// Clips to the audio and enforces end ≥ start + `minimumWordDuration`.
    private func timestamp(
        _ word: String, start: Double, end: Double, duration: Double, offset: Double, score: Double
    ) -> GroundingResult.Timestamp {
        let start = min(max(0, start), max(0, duration - Self.minimumWordDuration))
        let end = min(duration, max(end, start + Self.minimumWordDuration))
        return .init(word: word, start: start + offset, end: end + offset, score: score)
    }
}
