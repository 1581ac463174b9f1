/// Multi-head scaled dot-product attention on already-projected queries, keys and values. Head h
/// owns columns h·headDim ..< (h+1)·headDim of q (Tq, H·dh), k and v (Tk, H·dh) and o (Tq, H·dh):
///
///     Sᵢⱼ = qᵢ·kⱼ/√dh + mⱼ,   Pᵢ = softmax over j ∈ Bᵢ of Sᵢⱼ,   oᵢ = Σ_{j ∈ Bᵢ} Pᵢⱼ vⱼ,
///
/// where m is the optional additive key mask (0 to keep, −∞ to drop, e.g. padding) and Bᵢ is every
/// key, or with a local window of radius R only the keys with |i − j| ≤ R. A query none of whose
/// keys survive (all masked, or its band lies outside 0..<Tk) gets Pᵢ = 0: zero output, zero
/// gradients, no NaN.
///
/// Work is done per head in blocks of queries: one GEMM for the block's scores against the key
/// range the block needs, a masked softmax per row, one GEMM for P·V. With a window that is
/// O(Tq·(block + 2R)) per head, never O(Tq·Tk).
///
/// Saved probabilities (`Shape.probabilityCount` floats, head-major):
/// - full attention: (H, Tq, Tk), entry [h, i, j] = Pᵢⱼ;
/// - window R: banded (H, Tq, 2R+1), entry [h, i, s] = Pᵢⱼ for key j = i − R + s; slots whose key
///   is outside 0..<Tk hold 0. Total H·Tq·(2R+1) floats.
public enum Attention {
    /// Problem size. `window` is the radius R of the local band, nil for full attention.
    public struct Shape: Sendable, Equatable {
        public var queries: Int
        public var keys: Int
        public var heads: Int
        public var headDim: Int
        public var window: Int?

        public init(queries: Int, keys: Int, heads: Int, headDim: Int, window: Int? = nil) {
            precondition(window.map { $0 >= 0 } ?? true, "window radius must be ≥ 0")
            self.queries = queries
            self.keys = keys
            self.heads = heads
            self.headDim = headDim
            self.window = window
        }

        /// Columns of q, k, v and o: heads·headDim.
        public var width: Int { heads * headDim }

        /// Probability slots per (head, query): 2R + 1 with a window, Tk without.
        public var bandWidth: Int { window.map { 2 * $0 + 1 } ?? keys }

        /// Floats in the saved probabilities: H·Tq·(2R+1) with a window, H·Tq·Tk without.
        public var probabilityCount: Int { heads * queries * bandWidth }

        /// Key of query i's slot 0 (may be negative: such slots are empty).
        @inline(__always)
        func bandStart(_ i: Int) -> Int { window.map { i &- $0 } ?? 0 }

        /// Queries per block: 64 for full attention; with a window, about R (16…64) so that a
        /// block's key range (block + 2R) stays close to the band it serves (2R + 1).
        var blockSize: Int { window.map { Swift.min(64, Swift.max(16, $0)) } ?? 64 }

        /// Keys the rows i0 ..< i0+rows need, clipped to 0..<Tk (empty if none).
        @inline(__always)
        func keyRange(_ i0: Int, _ rows: Int) -> (start: Int, count: Int) {
            let start = Swift.max(0, bandStart(i0))
            let end = Swift.min(keys, bandStart(i0 &+ rows &- 1) &+ bandWidth)
            return (start, Swift.max(0, end &- start))
        }

        /// Keys of query i: lo ..< hi (hi ≤ lo if none).
        @inline(__always)
        func keysOf(_ i: Int) -> (lo: Int, hi: Int) {
            (Swift.max(0, bandStart(i)), Swift.min(keys, bandStart(i) &+ bandWidth))
        }

        /// Widest key range of any block, for scratch sizes.
        var maxKeyRange: Int { window == nil ? keys : Swift.min(keys, blockSize &- 1 &+ bandWidth) }
    }

    // MARK: Forward

    /// Overwrites `output`. `probabilities` (`shape.probabilityCount` floats, layout above) must be
    /// given when a backward will follow; nil skips saving them (inference).
    public static func forward(
        q: UnsafePointer<Float>,  // (Tq, H·dh)
        k: UnsafePointer<Float>,  // (Tk, H·dh)
        v: UnsafePointer<Float>,  // (Tk, H·dh)
        keyMask: UnsafePointer<Float>?,  // (Tk): 0 or −∞, added to every query's scores
        output: UnsafeMutablePointer<Float>,  // (Tq, H·dh)
        probabilities: UnsafeMutablePointer<Float>?,  // (H, Tq, bandWidth)
        shape: Shape
    ) {
        let width = shape.width, dh = shape.headDim, tq = shape.queries, band = shape.bandWidth
        let scale = 1 / Float(dh).squareRoot()
        let blockSize = shape.blockSize
        // Full attention's probabilities have the block layout already: compute them in place.
        let inPlace = shape.window == nil && probabilities != nil
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: inPlace ? 1 : Swift.max(1, blockSize &* shape.maxKeyRange))
        defer { scratch.deallocate() }

        for h in 0..<shape.heads {
            for i0 in stride(from: 0, to: tq, by: blockSize) {
                let rows = Swift.min(blockSize, tq &- i0)
                let (keyStart, span) = shape.keyRange(i0, rows)
                let outBlock = output + (i0 &* width &+ h &* dh)
                let savedRows = probabilities.map { $0 + (h &* tq &+ i0) &* band }
                guard span > 0 else {
                    for r in 0..<rows { (outBlock + r &* width).update(repeating: 0, count: dh) }
                    savedRows?.update(repeating: 0, count: rows &* band)
                    continue
                }
                let scores = inPlace ? savedRows! : scratch  // (rows, span)
                Gemm.nt(
                    m: rows, n: span, k: dh, a: q + (i0 &* width &+ h &* dh), lda: width,
                    b: k + (keyStart &* width &+ h &* dh), ldb: width, c: scores, ldc: span, accumulate: false)
                for r in 0..<rows {
                    let i = i0 &+ r
                    let (lo, hi) = shape.keysOf(i)
                    let row = scores + r &* span
                    softmax(row, count: span, from: lo &- keyStart, to: hi &- keyStart, scale: scale,
                            mask: keyMask.map { $0 + keyStart })
                    if !inPlace, let saved = savedRows {
                        let slots = saved + r &* band
                        slots.update(repeating: 0, count: band)
                        if hi > lo { (slots + (lo &- shape.bandStart(i))).update(from: row + (lo &- keyStart), count: hi &- lo) }
                    }
                }
                Gemm.nn(
                    m: rows, n: dh, k: span, a: scores, lda: span, b: v + (keyStart &* width &+ h &* dh), ldb: width,
                    c: outBlock, ldc: width, accumulate: false)
            }
        }
    }

    // MARK: Backward

    /// With dP = dO·Vᵀ and Dᵢ = Σⱼ Pᵢⱼ dPᵢⱼ (softmax backward), dS = P ⊙ (dP − D)/√dh:
    ///
    ///     dv += Pᵀ·dO,   dq += dS·K,   dk += dSᵀ·Q.
    ///
    /// The mask needs no gradient: it only enters through P, which the forward saved.
    public static func backward(
        dOutput: UnsafePointer<Float>,  // (Tq, H·dh)
        q: UnsafePointer<Float>,  // (Tq, H·dh)
        k: UnsafePointer<Float>,  // (Tk, H·dh)
        v: UnsafePointer<Float>,  // (Tk, H·dh)
        probabilities: UnsafePointer<Float>,  // (H, Tq, bandWidth), from forward
        dq: UnsafeMutablePointer<Float>,  // (Tq, H·dh)
        dk: UnsafeMutablePointer<Float>,  // (Tk, H·dh)
        dv: UnsafeMutablePointer<Float>,  // (Tk, H·dh)
        shape: Shape
    ) {
        let width = shape.width, dh = shape.headDim, tq = shape.queries, band = shape.bandWidth
        let scale = 1 / Float(dh).squareRoot()
        let blockSize = shape.blockSize
        let scratchCount = Swift.max(1, blockSize &* shape.maxKeyRange)
        // Banded probabilities are unpacked to the block layout (rows, span) for the GEMMs.
        let unpacked = UnsafeMutablePointer<Float>.allocate(capacity: shape.window == nil ? 1 : scratchCount)
        let dScores = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
        defer {
            unpacked.deallocate()
            dScores.deallocate()
        }

        for h in 0..<shape.heads {
            for i0 in stride(from: 0, to: tq, by: blockSize) {
                let rows = Swift.min(blockSize, tq &- i0)
                let (keyStart, span) = shape.keyRange(i0, rows)
                guard span > 0 else { continue }
                let savedRows = probabilities + (h &* tq &+ i0) &* band
                let p: UnsafePointer<Float>  // (rows, span)
                if shape.window == nil {
                    p = savedRows
                } else {
                    for r in 0..<rows {
                        let i = i0 &+ r
                        let (lo, hi) = shape.keysOf(i)
                        let row = unpacked + r &* span
                        row.update(repeating: 0, count: span)
                        if hi > lo {
                            let source = savedRows + (r &* band &+ lo &- shape.bandStart(i))
                            (row + (lo &- keyStart)).update(from: source, count: hi &- lo)
                        }
                    }
                    p = UnsafePointer(unpacked)
                }
                let dOutBlock = dOutput + (i0 &* width &+ h &* dh), qBlock = q + (i0 &* width &+ h &* dh)
                let keyOffset = keyStart &* width &+ h &* dh
                Gemm.nt(
                    m: rows, n: span, k: dh, a: dOutBlock, lda: width, b: v + keyOffset, ldb: width,
                    c: dScores, ldc: span, accumulate: false)
                Gemm.tn(
                    m: span, n: dh, k: rows, a: p, lda: span, b: dOutBlock, ldb: width,
                    c: dv + keyOffset, ldc: width, accumulate: true)
                for r in 0..<rows {  // dS ← scale·P ⊙ (dP − Σ P ⊙ dP), in place
                    let dRow = dScores + r &* span
                    VectorMath.softmaxRowBackward(output: p + r &* span, outputGradient: dRow, into: dRow, count: span, scale: scale)
                }
                Gemm.nn(
                    m: rows, n: dh, k: span, a: dScores, lda: span, b: k + keyOffset, ldb: width,
                    c: dq + (i0 &* width &+ h &* dh), ldc: width, accumulate: true)
                Gemm.tn(
                    m: span, n: dh, k: rows, a: dScores, lda: span, b: qBlock, ldb: width,
                    c: dk + keyOffset, ldc: width, accumulate: true)
            }
        }
    }

    // MARK: Row kernel

    /// row ← softmax(scale·row + mask) over columns from ..< to, 0 elsewhere; all 0 when no column
    /// is finite.
    @inline(__always)
    static func softmax(
        _ row: UnsafeMutablePointer<Float>, count: Int, from: Int, to: Int, scale: Float, mask: UnsafePointer<Float>?
    ) {
        guard to > from else {
            row.update(repeating: 0, count: count)
            return
        }
        row.update(repeating: 0, count: from)
        (row + to).update(repeating: 0, count: count &- to)
        VectorMath.softmaxRow(row + from, into: row + from, count: to &- from, mask: mask.map { $0 + from }, scale: scale)
    }
}
