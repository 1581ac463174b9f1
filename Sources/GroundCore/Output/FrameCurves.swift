import Foundation

/// The frame head's output over a clip, one value per model frame, kept with a result so it can
/// be plotted next to the timestamps chosen from it.
public struct FrameCurves: Sendable, Equatable {
    /// What the values are.
    public enum Kind: String, Sendable {
        /// Poisson head: the intensity λ_t, the expected number of word starts (or ends) within
        /// frame t; the sum over frames is the expected count Λ(T).
        case intensity
        /// Binary head: the probability p_t that a word starts (or ends) in frame t.
        case probability
    }

    public var kind: Kind
    /// Seconds per frame (0.04): frame t covers [offset + t · frameDuration, offset + (t + 1) · frameDuration).
    public var frameDuration: Double
    /// Seconds from the start of the file to the start of frame 0 (the `--start` of a trimmed clip).
    public var offset: Double
    /// One value per frame for word starts (head channel 0) and word ends (channel 1).
    public var starts: [Float]
    public var ends: [Float]

    public init(kind: Kind, frameDuration: Double, offset: Double, starts: [Float], ends: [Float]) {
        self.kind = kind
        self.frameDuration = frameDuration
        self.offset = offset
        self.starts = starts
        self.ends = ends
    }

    /// The curves from the head's raw outputs: log λ (Poisson, exponentiated) or logits (binary,
    /// through the sigmoid).
    public init(
        head: ModelConfig.HeadKind, startOutputs: [Float], endOutputs: [Float], frameDuration: Double, offset: Double
    ) {
        let kind: Kind, transform: (Float) -> Float
        switch head {
        case .poisson: (kind, transform) = (.intensity, { Foundation.exp($0) })
        case .binary: (kind, transform) = (.probability, { Float(BinaryHead.sigmoid(Double($0))) })
        }
        self.init(
            kind: kind, frameDuration: frameDuration, offset: offset, starts: startOutputs.map(transform),
            ends: endOutputs.map(transform))
    }
}
