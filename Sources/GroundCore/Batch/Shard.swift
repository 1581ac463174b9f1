/// `--shard I/N`: the part of a corpus one of N machines (a Slurm array task, a GNU parallel
/// job) aligns, so that N runs with I = 1…N cover every utterance exactly once.
///
/// An utterance belongs to shard `1 + h(id) mod N`, where h is FNV-1a (64-bit) of the id's
/// UTF-8 bytes followed by one SplitMix64 mixing step. The assignment depends on the id alone:
/// not on the machine, the process (unlike Swift's seeded `Hasher`), the order of the inputs
/// or the rest of the corpus, so adding files or listing inputs differently moves no utterance
/// to another shard. Shards are balanced in expectation (±√(n/N) utterances), not exactly.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// From 1 to `count`.
    public let index: Int
    public let count: Int

    public static let whole = Shard(uncheckedIndex: 1, count: 1)

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `I/N` with 1 ≤ I ≤ N; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else {
            return nil
        }
        self.init(uncheckedIndex: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    public func contains(_ id: String) -> Bool {
        Int(Self.hash(id) % UInt64(count)) == index - 1
    }

    /// FNV-1a over the UTF-8 bytes, then a SplitMix64 step so that every bit of the result
    /// depends on every byte (FNV's low bits alone mix poorly for small moduli). Public so that
    /// other tools can reproduce the assignment; it must never change.
    public static func hash(_ id: String) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in id.utf8 {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        var mixer = SplitMix64(seed: value)
        return mixer.next()
    }
}
