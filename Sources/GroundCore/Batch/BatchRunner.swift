import Foundation

/// Aligns the utterances of a batch on `jobs` threads and hands each finished record to one
/// consumer at a time.
///
/// The model's weights are shared read-only: `Grounder.ground` allocates its own workspace for
/// every call and GEMM scratch memory comes from a locked pool, so concurrent calls are safe.
/// Threads take the next utterance in order as they become free, so records finish roughly,
/// not exactly, in input order when `jobs` > 1.
public struct BatchRunner {
    public let grounder: Grounder
    public let jobs: Int
    /// Threads for one utterance's feature extraction.
    public let threadsPerJob: Int

    public init(grounder: Grounder, jobs: Int, threadsPerJob: Int = 1) {
        self.grounder = grounder
        self.jobs = max(1, jobs)
        self.threadsPerJob = max(1, threadsPerJob)
    }

    // MARK: - One utterance

    /// Decodes the audio and aligns the transcript; every problem becomes an error record.
    public func record(for item: BatchItem) -> BatchRecord {
        do {
            let task = try item.task.get()
            let audio = try AudioFile.load(path: item.audioPath, sampleRate: grounder.extractor.config.sampleRate)
            let result = try grounder.ground(audio: audio, task: task, file: item.audioPath, threads: threadsPerJob)
            return .aligned(id: item.id, result: result)
        } catch let error as GroundError {
            return BatchRecord(failing: item, error)
        } catch {
            return BatchRecord(failing: item, GroundError(String(describing: error)))
        }
    }

    // MARK: - The whole batch

    /// Runs every item; `finish` is called once per record, never concurrently. When `finish`
    /// throws (the output cannot be written), no new utterance starts and the error is
    /// rethrown once the running ones are done.
    public func run(_ items: [BatchItem], finish: @escaping (BatchRecord) throws -> Void) throws {
        let state = SharedState()
        let group = DispatchGroup()
        for _ in 0..<min(jobs, items.count) {
            group.enter()
            let thread = Thread {
                while let index = state.nextIndex(below: items.count) {
                    let record = self.record(for: items[index])
                    state.finish { try finish(record) }
                }
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let error = state.error { throw error }
    }

    /// The queue position and the consumer, behind one lock.
    private final class SharedState: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private(set) var error: Error?

        /// The next item to run, or nil when all are taken or the batch stopped on an error.
        func nextIndex(below count: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard error == nil, next < count else { return nil }
            next += 1
            return next - 1
        }

        func finish(_ body: () throws -> Void) {
            lock.lock()
            defer { lock.unlock() }
            guard error == nil else { return }
            do { try body() } catch { self.error = error }
        }
    }
}
