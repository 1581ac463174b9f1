/// Timestamps from a binary head (paper §2.1, "Inference"): the k frames with the highest
/// probability, returned in time order. A frame's timestamp is its centre (§3.3).
public enum TopK {
    /// Indices of the k largest scores, ascending by index. Ties go to the earlier frame.
    /// O(T log k) with a bounded min-heap, so long clips with small k stay cheap.
    public static func frames(scores: UnsafePointer<Float>, count: Int, stride: Int = 1, k: Int) -> [Int] {
        let k = min(k, count)
        guard k > 0 else { return [] }
        // Heap of (score, index), smallest "better" at the root; a is better than b when its score
        // is higher, or equal with an earlier index.
        var heap: [(score: Float, index: Int)] = []
        heap.reserveCapacity(k)
        func worse(_ a: (score: Float, index: Int), _ b: (score: Float, index: Int)) -> Bool {
            a.score < b.score || (a.score == b.score && a.index > b.index)
        }
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, worse(heap[l], heap[m]) { m = l }
                if r < heap.count, worse(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for t in 0..<count {
            let item = (score: scores[t &* stride], index: t)
            if heap.count < k {
                heap.append(item)
                var i = heap.count - 1
                while i > 0, worse(heap[i], heap[(i - 1) / 2]) {
                    heap.swapAt(i, (i - 1) / 2)
                    i = (i - 1) / 2
                }
            } else if worse(heap[0], item) {
                heap[0] = item
                siftDown(0)
            }
        }
        return heap.map(\.index).sorted()
    }

    /// Frame centres in frame units: index + 0.5.
    public static func times(scores: UnsafePointer<Float>, count: Int, stride: Int = 1, k: Int) -> [Double] {
        frames(scores: scores, count: count, stride: stride, k: k).map { Double($0) + 0.5 }
    }
}
