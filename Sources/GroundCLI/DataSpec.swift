import Foundation
import GroundCore

/// `PATH[@SPLIT][:WEIGHT]`, comma-separated: manifests, the split to keep, and mixing weights.
struct DataSpec {
    var path: String
    var split: String?
    var weight: Double

    static func parse(_ text: String, option: String) throws -> [DataSpec] {
        try text.split(separator: ",").map { item in
            var body = String(item)
            var weight = 1.0
            if let colon = body.lastIndex(of: ":"), let value = Double(body[body.index(after: colon)...]) {
                guard value > 0, value.isFinite else { throw UsageError("--\(option): weight must be positive in '\(item)'") }
                weight = value
                body = String(body[..<colon])
            }
            var split: String?
            if let at = body.lastIndex(of: "@") {
                split = String(body[body.index(after: at)...])
                body = String(body[..<at])
            }
            guard !body.isEmpty else { throw UsageError("--\(option): empty manifest path in '\(item)'") }
            return DataSpec(path: body, split: split, weight: weight)
        }
    }

    /// The manifest's utterances in the split, usable for training (known words, not suspect,
    /// at most `maxSeconds` long) and at most `limit` of them.
    func utterances(maxSeconds: Double = .infinity, limit: Int? = nil) throws -> [Utterance] {
        var utterances = try Manifest.read(path: path).filter {
            (split == nil || $0.split == split) && !$0.suspect && $0.hasOnlyKnownWords && !$0.words.isEmpty
                && $0.duration <= maxSeconds
        }
        if let limit { utterances = Array(utterances.prefix(limit)) }
        guard !utterances.isEmpty else {
            throw GroundError(file: path, "no usable utterances\(split.map { " in split '\($0)'" } ?? "")")
        }
        return utterances
    }

    var description: String { path + (split.map { "@\($0)" } ?? "") + (weight == 1 ? "" : ":\(weight)") }
}

/// Loads features for a list of utterances with a progress line.
func loadFeatures(_ utterances: [Utterance], config: FeatureConfig, threads: Int, label: String, progress: Progress) throws
    -> FeatureStore
{
    let store = try FeatureStore(utterances: utterances, config: config, threads: threads) { done, total in
        progress.update("\(label): features \(done)/\(total)", force: done == total)
    }
    progress.finish()
    return store
}
