import Foundation

/// A training checkpoint: the model file plus the optimiser's moments and step, so `--resume`
/// continues exactly where a run stopped. Batches are drawn from a generator seeded by
/// (seed, step), so no random state needs saving.
public enum Checkpoint {
    static let firstMoment = "optimizer.first_moment"
    static let secondMoment = "optimizer.second_moment"

    public static func save(trainer: Trainer, metadata: [String: String], path: String) throws {
        var file = trainer.model.file(metadata: metadata.merging(["step": String(trainer.optimizer.step)]) { $1 })
        let count = trainer.model.layout.parameters.count
        file.tensors.append((firstMoment, .init(shape: [count], values: trainer.optimizer.firstMoment)))
        file.tensors.append((secondMoment, .init(shape: [count], values: trainer.optimizer.secondMoment)))
        try file.write(to: path)
    }

    /// The model and optimiser state of a checkpoint.
    public static func load(path: String, hyperparameters: AdamW.Hyperparameters) throws -> (GroundingModel, AdamW, ModelFile) {
        let file = try ModelFile.read(path: path)
        let model = try GroundingModel(file: file, path: path)
        guard let first = file.tensor(firstMoment), let second = file.tensor(secondMoment),
            let step = file.metadata["step"].flatMap(Int.init)
        else { throw GroundError(file: path, "not a training checkpoint (no optimiser state)") }
        let optimizer = try AdamW(
            layout: model.layout.parameters, hyperparameters: hyperparameters, step: step, firstMoment: first.values,
            secondMoment: second.values)
        return (model, optimizer, file)
    }
}
