/// One utterance of a batch: a stable id, its audio file, and either the transcript task to run
/// or the reason it cannot run (no transcript line, an empty transcript, ...). Problems found
/// while discovering the corpus become error records in the output instead of stopping the
/// batch, so one bad file never costs the rest of the corpus.
public struct BatchItem: Sendable, Equatable {
    /// Unique within a batch; the key of `--resume` and `--shard`.
    public var id: String
    public var audioPath: String
    public var task: Result<GroundingTask, GroundError>

    public init(id: String, audioPath: String, task: Result<GroundingTask, GroundError>) {
        self.id = id
        self.audioPath = audioPath
        self.task = task
    }

    /// An item aligning `text` (normalised to the model's alphabet); an empty transcript makes
    /// it an error item whose message names `source`.
    public init(id: String, audioPath: String, transcript text: String, source: String) {
        self.init(id: id, audioPath: audioPath, task: Result { try GroundingTask.transcript(text, source: source) }
            .mapError { $0 as? GroundError ?? GroundError(String(describing: $0)) })
    }

    /// An item that will be reported as failed with `problem`.
    public init(id: String, audioPath: String, problem: String) {
        self.init(id: id, audioPath: audioPath, task: .failure(GroundError(problem)))
    }
}
