/// Token embedding: row ids[l] of a (V, d) table,
///
///     y[l, :] = E[ids[l], :].
///
/// Its gradient is a scatter-add, dE[ids[l], :] += dy[l, :] (a repeated id accumulates).
public enum Embedding {
    // MARK: Forward

    public static func forward(
        ids: UnsafePointer<Int32>,  // (tokens)
        table: UnsafePointer<Float>,  // (vocabularySize, width)
        y: UnsafeMutablePointer<Float>,  // (tokens, width)
        tokens: Int, width: Int, vocabularySize: Int
    ) {
        for l in 0..<tokens {
            let id = Int(ids[l])
            precondition(id >= 0 && id < vocabularySize, "token id \(id) outside vocabulary of \(vocabularySize)")
            (y + l &* width).update(from: table + id &* width, count: width)
        }
    }

    // MARK: Backward

    public static func backward(
        dy: UnsafePointer<Float>,  // (tokens, width)
        ids: UnsafePointer<Int32>,  // (tokens)
        dTable: UnsafeMutablePointer<Float>,  // (vocabularySize, width)
        tokens: Int, width: Int, vocabularySize: Int
    ) {
        for l in 0..<tokens {
            let id = Int(ids[l])
            precondition(id >= 0 && id < vocabularySize, "token id \(id) outside vocabulary of \(vocabularySize)")
            Elementwise.add(dy + l &* width, into: dTable + id &* width, count: width)
        }
    }
}
