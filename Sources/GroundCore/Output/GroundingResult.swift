/// What `ground` found in one file: the payload every output writer formats.
public struct GroundingResult: Sendable, Equatable {
    public struct Timestamp: Sendable, Equatable {
        public var word: String
        /// Seconds from the start of the file.
        public var start: Double
        /// Seconds from the start of the file; at least `Grounder.minimumWordDuration` after `start`.
        public var end: Double
        /// Confidence in [0, 1] (see the head's extractor for its definition).
        public var score: Double

        public init(word: String, start: Double, end: Double, score: Double) {
            self.word = word
            self.start = start
            self.end = end
            self.score = score
        }
    }

    /// Which model answered: enough to reproduce the result.
    public struct ModelSummary: Sendable, Equatable {
        public var name: String
        public var head: String
        public var parameters: Int

        public init(name: String, head: String, parameters: Int) {
            self.name = name
            self.head = head
            self.parameters = parameters
        }
    }

    public var file: String
    /// Seconds of audio in the file.
    public var duration: Double
    public var model: ModelSummary
    public var task: GroundingTask
    /// The model's expected number of occurrences of the query, Λ(T) (word queries only).
    public var expectedCount: Double?
    public var timestamps: [Timestamp]
    /// The head's per-frame curves the timestamps were read from (for `--plot`; not part of the
    /// text formats). Nil for results not made by a `Grounder`.
    public var curves: FrameCurves?

    public init(
        file: String, duration: Double, model: ModelSummary, task: GroundingTask, expectedCount: Double?,
        timestamps: [Timestamp], curves: FrameCurves? = nil
    ) {
        self.file = file
        self.duration = duration
        self.model = model
        self.task = task
        self.expectedCount = expectedCount
        self.timestamps = timestamps
        self.curves = curves
    }
}
