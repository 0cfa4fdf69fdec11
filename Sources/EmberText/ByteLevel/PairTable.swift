// PairTable: an open-addressing hash map from a pair of token ids to a merge's (rank, new id).

/// The merge table of a BPE model: `(left id, right id) -> (rank, merged id)`.
///
/// Linear probing over a power-of-two table of packed keys; lookups allocate nothing and hash with one
/// multiplication, which matters because encoding looks up every adjacent pair of every new word.
struct PairTable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    private let shift: UInt64
    private(set) var count = 0

    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    @inline(__always)
    private static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// Sets the merge of `(a, b)`; a later merge of the same pair replaces the earlier one (as `tokenizers`
    /// does when merges.txt repeats a line).
    mutating func insert(_ a: Int32, _ b: Int32, rank: Int32, newId: Int32) {
        let k = Self.key(a, b)
        var s = slot(k)
        while keys[s] != Self.empty && keys[s] != k { s = (s + 1) & mask }
        if keys[s] == Self.empty { count += 1 }
        keys[s] = k
        values[s] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: newId))
    }

    /// The merge of `(a, b)`, or nil.
    @inline(__always)
    func lookup(_ a: Int32, _ b: Int32) -> (rank: Int32, newId: Int32)? {
        let k = Self.key(a, b)
        var s = slot(k)
        while true {
            let stored = keys[s]
            if stored == k {
                let v = values[s]
                return (Int32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v))
            }
            if stored == Self.empty { return nil }
            s = (s + 1) & mask
        }
    }
}
