/// Groups `factor` consecutive input frames into one output frame by concatenating their channels:
///
///     y[t, f·C + c] = x[factor·t + f, c],   f < factor,
///
/// e.g. four 10 ms log-mel frames (4·T, 80) → one 40 ms frame (T, 320), to be followed by a Linear
/// 320 → d. Row-major, this is the input's own memory order, so the forward is a copy. An input
/// length N not divisible by `factor` gives T = ⌈N/factor⌉ output frames, the missing input frames
/// of the last one reading as `padValue` (e.g. the log-mel floor, i.e. silence).
public enum FramePatch {
    public static let defaultFactor = 4

    /// Output frames for `inputFrames`: ⌈inputFrames / factor⌉.
    public static func outputFrames(inputFrames: Int, factor: Int = defaultFactor) -> Int {
        (inputFrames + factor - 1) / factor
    }

    // MARK: Forward

    public static func forward(
        x: UnsafePointer<Float>,  // (inputFrames, channels)
        y: UnsafeMutablePointer<Float>,  // (⌈inputFrames/factor⌉, factor·channels)
        inputFrames: Int, channels: Int, factor: Int = defaultFactor, padValue: Float
    ) {
        let count = inputFrames &* channels
        y.update(from: x, count: count)
        let padded = outputFrames(inputFrames: inputFrames, factor: factor) &* factor &* channels
        (y + count).update(repeating: padValue, count: padded &- count)
    }

    // MARK: Backward

    /// dx += dy restricted to real input frames (padding receives no gradient).
    public static func backward(
        dy: UnsafePointer<Float>,  // (⌈inputFrames/factor⌉, factor·channels)
        dx: UnsafeMutablePointer<Float>,  // (inputFrames, channels)
        inputFrames: Int, channels: Int, factor: Int = defaultFactor
    ) {
        Elementwise.add(dy, into: dx, count: inputFrames &* channels)
    }
}
