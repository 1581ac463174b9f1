import Foundation

/// Rotary position embedding (RoPE) for rows of `heads` interleaved column blocks of width
/// `headDim` (even). Within each head, channel i is paired with channel i + headDim/2 (the
/// "rotate half" convention) and the pair is rotated by the angle p·θᵢ of the row's position p:
///
///     θᵢ = base^(−2i/headDim),  i < headDim/2,  base = 10000,
///     y[i] = x[i]·cos(pθᵢ) − x[i+h]·sin(pθᵢ),   y[i+h] = x[i]·sin(pθᵢ) + x[i+h]·cos(pθᵢ),   h = headDim/2.
///
/// Dot products of rotated queries and keys then depend only on the position difference. Row t
/// has position `positionOffset + t`, so a window of a long sequence gets its true positions.
/// The angles are tabulated once per sequence by `fillTables` (cos and sin: rows·headDim/2 floats
/// each, linear in length) and shared by queries, keys, every layer and both passes.
public enum RotaryEmbedding {
    public static let defaultBase: Double = 10_000

    // MARK: Tables

    /// cos[t, i] = cos((positionOffset + t)·θᵢ), sin likewise; both (rows, headDim/2). Angles are
    /// formed in Double so that positions in the tens of thousands keep full Float precision.
    public static func fillTables(
        cos cosTable: UnsafeMutablePointer<Float>,  // (rows, headDim/2)
        sin sinTable: UnsafeMutablePointer<Float>,  // (rows, headDim/2)
        rows: Int, headDim: Int, positionOffset: Int, base: Double = defaultBase
    ) {
        precondition(headDim % 2 == 0, "RoPE needs an even head dimension")
        let half = headDim / 2
        let frequencies = (0..<half).map { Foundation.pow(base, -2 * Double($0) / Double(headDim)) }
        for t in 0..<rows {
            let position = Double(positionOffset + t)
            for i in 0..<half {
                let angle = position * frequencies[i]
                cosTable[t &* half &+ i] = Float(Foundation.cos(angle))
                sinTable[t &* half &+ i] = Float(Foundation.sin(angle))
            }
        }
    }

    // MARK: Forward

    /// y = R(p)·x per head; `y` may be `x` (in place).
    public static func forward(
        x: UnsafePointer<Float>,  // (rows, heads·headDim)
        y: UnsafeMutablePointer<Float>,  // (rows, heads·headDim)
        cos cosTable: UnsafePointer<Float>,  // (rows, headDim/2), from fillTables
        sin sinTable: UnsafePointer<Float>,  // (rows, headDim/2)
        rows: Int, heads: Int, headDim: Int
    ) {
        rotate(x, into: y, accumulate: false, cosTable, sinTable, sinSign: 1, rows: rows, heads: heads, headDim: headDim)
    }

    // MARK: Backward

    /// dx += R(p)ᵀ·dy = R(−p)·dy: the gradient is rotated back by the same angle.
    public static func backward(
        dy: UnsafePointer<Float>,  // (rows, heads·headDim)
        dx: UnsafeMutablePointer<Float>,  // (rows, heads·headDim)
        cos cosTable: UnsafePointer<Float>,  // (rows, headDim/2)
        sin sinTable: UnsafePointer<Float>,  // (rows, headDim/2)
        rows: Int, heads: Int, headDim: Int
    ) {
        rotate(dy, into: dx, accumulate: true, cosTable, sinTable, sinSign: -1, rows: rows, heads: heads, headDim: headDim)
    }

    /// out (= or +=) rotation of `input` by ±angle (sinSign = ±1). Reads each pair before writing
    /// it, so `out` may alias `input` when not accumulating.
    @inline(__always)
    private static func rotate(
        _ input: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, accumulate: Bool,
        _ cosTable: UnsafePointer<Float>, _ sinTable: UnsafePointer<Float>, sinSign: Float,
        rows: Int, heads: Int, headDim: Int
    ) {
        precondition(headDim % 2 == 0, "RoPE needs an even head dimension")
        let half = headDim / 2, width = heads &* headDim
        typealias V8 = SIMD8<Float>  // 8 lanes: the model's half head, 24, is a multiple of 8 but not of 16.
        for t in 0..<rows {
            let c = cosTable + t &* half, s = sinTable + t &* half
            for h in 0..<heads {
                let first = input + (t &* width &+ h &* headDim), second = first + half
                let outFirst = out + (t &* width &+ h &* headDim), outSecond = outFirst + half
                var i = 0
                while i &+ 8 <= half {
                    let a = VectorMath.load(first + i, as: V8.self), b = VectorMath.load(second + i, as: V8.self)
                    let cv = VectorMath.load(c + i, as: V8.self), sv = VectorMath.load(s + i, as: V8.self) * sinSign
                    var ra = a * cv - b * sv, rb = a * sv + b * cv
                    if accumulate {
                        ra += VectorMath.load(outFirst + i, as: V8.self)
                        rb += VectorMath.load(outSecond + i, as: V8.self)
                    }
                    VectorMath.store(ra, outFirst + i)
                    VectorMath.store(rb, outSecond + i)
                    i &+= 8
                }
                while i < half {
                    let a = first[i], b = second[i], cv = c[i], sv = s[i] * sinSign
                    let ra = a * cv - b * sv, rb = a * sv + b * cv
                    outFirst[i] = accumulate ? outFirst[i] + ra : ra
                    outSecond[i] = accumulate ? outSecond[i] + rb : rb
                    i &+= 1
                }
            }
        }
    }
}
