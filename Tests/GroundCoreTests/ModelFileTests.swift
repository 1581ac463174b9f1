import Foundation
import GroundCore
import XCTest

final class ModelFileTests: XCTestCase {
    func sampleFile(storage: ModelFile.Storage = .f32) -> ModelFile {
        var config = ModelConfig()
        config.modelDim = 32
        config.heads = 2
        return ModelFile(
            config: config, metadata: ["trained": "test"],
            tensors: [
                ("a.weight", .init(shape: [2, 3], values: [1, -2, 3.5, 0, 1e-3, -7], storage: storage)),
                ("a.bias", .init(shape: [3], values: [0.25, 0.5, -0.125], storage: storage)),
                ("empty", .init(shape: [0, 4], values: [], storage: storage)),
            ])
    }

    func testRoundTripIsExact() throws {
        let file = sampleFile()
        let decoded = try ModelFile.decode(try file.encoded())
        XCTAssertEqual(decoded.config, file.config)
        XCTAssertEqual(decoded.metadata, file.metadata)
        XCTAssertEqual(decoded.tensors.map(\.name), ["a.weight", "a.bias", "empty"])
        XCTAssertEqual(decoded.tensor("a.weight"), file.tensor("a.weight"))
        XCTAssertEqual(decoded.tensor("a.bias")?.values, [0.25, 0.5, -0.125])
    }

    func testFloat16HalvesTheDataAndRoundsValues() throws {
        let values = (0..<1000).map { Float($0) * 0.001 - 0.5 }
        let f32 = try ModelFile(config: ModelConfig(), tensors: [("w", .init(shape: [1000], values: values))]).encoded()
        let f16 = try ModelFile(config: ModelConfig(), tensors: [("w", .init(shape: [1000], values: values, storage: .f16))])
            .encoded()
        XCTAssertLessThan(f16.count, f32.count - 1900)
        let decoded = try ModelFile.decode(f16).tensor("w")!.values
        for (a, b) in zip(decoded, values) { XCTAssertEqual(a, b, accuracy: 1e-3 * max(1, abs(b))) }
    }

    func testDamagedFilesGiveClearErrors() throws {
        let good = try sampleFile().encoded()
        var wrongMagic = good
        wrongMagic[0] = UInt8(ascii: "X")
        assertRejects(wrongMagic, "wrong magic")

        var newer = good
        newer[8] = 99
        assertRejects(newer, "newer than this ground reads")

        assertRejects(good.prefix(good.count - 10), "truncated")
        assertRejects(good.prefix(20), "truncated")
        assertRejects(Data(), "wrong magic")

        var flipped = good
        flipped[good.count - 40] ^= 0x10
        assertRejects(flipped, "checksum mismatch")
    }

    func testWriteIsAtomicAndReadable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ground-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.ground").path
        try sampleFile().write(to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["m.ground"])
        XCTAssertEqual(try ModelFile.read(path: path).tensor("a.bias")?.values, [0.25, 0.5, -0.125])
        XCTAssertThrowsError(try ModelFile.read(path: directory.appendingPathComponent("none").path)) {
            XCTAssertTrue("\($0)".contains("no such model file"))
        }
    }

    private func assertRejects(_ data: Data, _ fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try ModelFile.decode(Data(data), path: "m.ground"), line: line) { error in
            XCTAssertTrue("\(error)".hasPrefix("m.ground: "), "\(error)", line: line)
            XCTAssertTrue("\(error)".contains(fragment), "\(error)", line: line)
        }
    }
}

final class TrainingMachineryTests: XCTestCase {
    /// One AdamW step from zero moments moves each parameter by −η·sign(g) (bias correction makes
    /// m̂/√v̂ = g/|g|), and decays matrices but not vectors.
    func testAdamWFirstStepAndDecay() {
        var layout = ParameterLayout()
        layout.add("matrix", [2, 2], .ones)
        layout.add("vector", [3], .ones)
        let parameters = FloatBuffer(layout.initialValues(seed: 1))
        let gradients = FloatBuffer(count: layout.count)
        let m = layout.tensor("matrix")!.offset, v = layout.tensor("vector")!.offset
        gradients[m] = 2
        gradients[m + 1] = -0.5
        gradients[v] = 3
        var hyperparameters = AdamW.Hyperparameters()
        hyperparameters.weightDecay = 0.1
        var optimizer = AdamW(layout: layout, hyperparameters: hyperparameters)
        optimizer.update(parameters: parameters, gradients: gradients, learningRate: 0.01)
        XCTAssertEqual(parameters[m], 1 - 0.01 - 0.001, accuracy: 1e-6)
        XCTAssertEqual(parameters[m + 1], 1 + 0.01 - 0.001, accuracy: 1e-6)
        XCTAssertEqual(parameters[m + 2], 1 - 0.001, accuracy: 1e-6)  // decay only
        XCTAssertEqual(parameters[v], 1 - 0.01, accuracy: 1e-6)
        XCTAssertEqual(parameters[v + 1], 1, accuracy: 1e-7)  // vectors do not decay
        XCTAssertEqual(optimizer.step, 1)
    }

    func testGradientClipping() {
        let gradients = FloatBuffer([3, 4, 0])
        XCTAssertEqual(clipGradientNorm(gradients, maxNorm: 1), 5, accuracy: 1e-6)
        XCTAssertEqual(gradients[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(gradients[1], 0.8, accuracy: 1e-6)
        let small = FloatBuffer([0.1, 0.1])
        clipGradientNorm(small, maxNorm: 1)
        XCTAssertEqual(small.array, [0.1, 0.1])
    }

    func testWarmupThenCosine() {
        let schedule = LearningRateSchedule(peak: 1e-3, floor: 1e-5, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(schedule.rate(at: 0), 1e-4, accuracy: 1e-9)
        XCTAssertEqual(schedule.rate(at: 9), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(schedule.rate(at: 60), (1e-3 + 1e-5) / 2, accuracy: 1e-8)
        XCTAssertEqual(schedule.rate(at: 110), 1e-5, accuracy: 1e-9)
        XCTAssertEqual(schedule.rate(at: 500), 1e-5, accuracy: 1e-9)
    }

    func testSeededInitialisationIsReproducible() {
        var layout = ParameterLayout()
        layout.add("w", [64, 64], .normal(std: 0.02))
        layout.add("b", [64], .zeros)
        XCTAssertEqual(layout.initialValues(seed: 5), layout.initialValues(seed: 5))
        XCTAssertNotEqual(layout.initialValues(seed: 5), layout.initialValues(seed: 6))
        let w = layout.initialValues(seed: 5)[0..<4096]
        let std = (w.map { Double($0 * $0) }.reduce(0, +) / 4096).squareRoot()
        XCTAssertEqual(std, 0.02, accuracy: 0.002)
        XCTAssertEqual(layout.tensor("b")!.offset % 16, 0)
    }

    func testVocabularyEncodesTasks() throws {
        let vocabulary = Vocabulary.standard
        let query = try vocabulary.encode(try .query("Much", occurrence: .index(2)))
        XCTAssertEqual(query.map { vocabulary.tokens[Int($0)] }, ["<word>", "<k2>", "<text>", "m", "u", "c", "h"])
        let transcript = try vocabulary.encode(.transcript(words: ["it's", "a"]))
        XCTAssertEqual(transcript.map { vocabulary.tokens[Int($0)] }, ["<transcript>", "<text>", "i", "t", "'", "s", " ", "a"])
        let many = try vocabulary.encode(try .query("a", occurrence: .index(40)))
        XCTAssertEqual(vocabulary.tokens[Int(many[1])], "<k+>")
    }
}
