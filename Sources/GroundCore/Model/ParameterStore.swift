import Foundation

/// How a parameter tensor is initialised.
public enum ParameterInit: Sendable, Equatable {
    case zeros
    case ones
    /// Normal(0, std²).
    case normal(std: Float)
}

/// One named tensor inside the parameter buffer.
public struct ParameterTensor: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public let initialization: ParameterInit
    public var count: Int { shape.reduce(1, *) }
    /// AdamW decays matrices (weights, embeddings), never biases or norm gains.
    public var decays: Bool { shape.count >= 2 }
}

/// All parameters of a model in one contiguous buffer (llm.c style), with a table of named
/// tensors. Gradients and optimiser moments use the same layout, so every update is one loop.
public struct ParameterLayout: Sendable, Equatable {
    public private(set) var tensors: [ParameterTensor] = []
    public private(set) var count = 0
    private var byName: [String: Int] = [:]

    public init() {}

    /// Appends a tensor and returns its offset. Offsets are kept 16-float aligned so SIMD loads of
    /// a tensor's rows start on a 64-byte boundary.
    @discardableResult
    public mutating func add(_ name: String, _ shape: [Int], _ initialization: ParameterInit) -> Int {
        precondition(byName[name] == nil, "duplicate parameter \(name)")
        let offset = (count + 15) / 16 * 16
        let tensor = ParameterTensor(name: name, shape: shape, offset: offset, initialization: initialization)
        byName[name] = tensors.count
        tensors.append(tensor)
        count = offset + tensor.count
        return offset
    }

    public func tensor(_ name: String) -> ParameterTensor? { byName[name].map { tensors[$0] } }

    /// Number of trainable values (without alignment padding).
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.count } }

    /// A buffer initialised tensor by tensor from `seed`; the same seed gives the same values.
    public func initialValues(seed: UInt64) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        var generator = SplitMix64(seed: seed)
        for tensor in tensors {
            switch tensor.initialization {
            case .zeros: break
            case .ones:
                for i in 0..<tensor.count { values[tensor.offset + i] = 1 }
            case .normal(let std):
                for i in 0..<tensor.count { values[tensor.offset + i] = std * Self.standardNormal(&generator) }
            }
        }
        return values
    }

    /// Box–Muller on the generator's uniform doubles.
    static func standardNormal(_ generator: inout SplitMix64) -> Float {
        let u1 = max(generator.nextUnitDouble(), 1e-300), u2 = generator.nextUnitDouble()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
