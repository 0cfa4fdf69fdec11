// BPEMerger: applies a BPE model's merges to one word, lowest rank first, as `tokenizers`' `Word::merge_all`.

/// Merges the symbols of one word with reusable scratch buffers.
///
/// The rule of Hugging Face's `merge_all`: repeatedly merge the adjacent pair with the lowest rank, the leftmost
/// one among equal ranks. Done with a min-heap of (rank, position) over a linked list of symbols, so a long
/// word costs O(n log n), not O(n²); entries made stale by an earlier merge are skipped when popped.
struct BPEMerger {
    private var symbols: [Int32] = []
    private var prev: [Int32] = []
    private var next: [Int32] = []
    private var alive: [Bool] = []
    private var heap: [UInt64] = []   // rank << 32 | position: ordering the packed value orders by (rank, position)

    /// Merges `ids` in place.
    mutating func merge(_ ids: inout [Int32], table: PairTable) {
        let n = ids.count
        guard n > 1 else { return }
        symbols = ids
        prev.removeAll(keepingCapacity: true); next.removeAll(keepingCapacity: true)
        alive.removeAll(keepingCapacity: true); heap.removeAll(keepingCapacity: true)
        for i in 0..<n {
            prev.append(Int32(i - 1)); next.append(i + 1 < n ? Int32(i + 1) : -1); alive.append(true)
        }
        for i in 0..<(n - 1) {
            if let m = table.lookup(symbols[i], symbols[i + 1]) { push(rank: m.rank, pos: i) }
        }
        while let top = pop() {
            let pos = Int(top & 0xFFFF_FFFF), rank = Int32(truncatingIfNeeded: top >> 32)
            guard alive[pos], next[pos] >= 0 else { continue }
            let right = Int(next[pos])
            // Stale entry: the pair at `pos` has changed since it was pushed.
            guard let m = table.lookup(symbols[pos], symbols[right]), m.rank == rank else { continue }
            symbols[pos] = m.newId
            alive[right] = false
            next[pos] = next[right]
            if next[right] >= 0 { prev[Int(next[right])] = Int32(pos) }
            if prev[pos] >= 0, let p = table.lookup(symbols[Int(prev[pos])], m.newId) { push(rank: p.rank, pos: Int(prev[pos])) }
            if next[pos] >= 0, let p = table.lookup(m.newId, symbols[Int(next[pos])]) { push(rank: p.rank, pos: pos) }
        }
        ids.removeAll(keepingCapacity: true)
        var i = 0
        while i >= 0 { ids.append(symbols[i]); i = Int(next[i]) }
    }

    private mutating func push(rank: Int32, pos: Int) {
        heap.append(UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(pos))
        var c = heap.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            if heap[p] <= heap[c] { break }
            heap.swapAt(p, c); c = p
        }
    }

    private mutating func pop() -> UInt64? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        heap[0] = last
        var p = 0
        let n = heap.count
        while true {
            let l = 2 * p + 1, r = l + 1
            var m = p
            if l < n && heap[l] < heap[m] { m = l }
            if r < n && heap[r] < heap[m] { m = r }
            if m == p { break }
            heap.swapAt(p, m); p = m
        }
        return top
    }
}
