// WordCache: remembers the token ids of pieces already encoded, keyed by their raw bytes.

/// A hash map from a piece's UTF-8 bytes to its token ids, stored in flat arenas.
///
/// Lookups hash the bytes in place (no `String` or `Array` built per piece). Like `tokenizers`' cache it
/// stops growing when full (`capacity` entries) and skips pieces of `maxKeyLength` bytes or more.
struct WordCache {
    private var slots: [Int32]                 // entry index + 1; 0 = empty
    private var hashes: [UInt64] = []
    private var keyStart: [Int32] = [], keyLength: [Int32] = []
    private var idStart: [Int32] = [], idCount: [Int32] = []
    private var keyBytes: [UInt8] = []
    private var idArena: [Int32] = []
    private let mask: Int
    let capacity: Int
    let maxKeyLength = 256

    init(capacity: Int = 100_000) {
        self.capacity = capacity
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { hashes.count }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325       // FNV-1a, then a final mix for the table index
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
    }

    /// Appends the cached ids of `bytes` to `out` and returns true, or returns false on a miss.
    @inline(__always)
    func appendIds(of bytes: UnsafeBufferPointer<UInt8>, hash: UInt64, to out: inout [Int]) -> Bool {
        var s = Int(truncatingIfNeeded: hash) & mask
        while true {
            let e = Int(slots[s]) - 1
            if e < 0 { return false }
            if hashes[e] == hash && Int(keyLength[e]) == bytes.count && keyMatches(e, bytes) {
                let start = Int(idStart[e])
                for k in start..<(start + Int(idCount[e])) { out.append(Int(idArena[k])) }
                return true
            }
            s = (s + 1) & mask
        }
    }

    private func keyMatches(_ e: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(keyStart[e])
        return keyBytes.withUnsafeBufferPointer { kb in
            for k in 0..<bytes.count where kb[start + k] != bytes[k] { return false }
            return true
        }
    }

    /// Remembers `ids` for `bytes` unless the cache is full or the piece is too long.
    mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64, ids: [Int32]) {
        guard hashes.count < capacity, bytes.count < maxKeyLength else { return }
        var s = Int(truncatingIfNeeded: hash) & mask
        while slots[s] != 0 { s = (s + 1) & mask }
        hashes.append(hash)
        keyStart.append(Int32(keyBytes.count)); keyLength.append(Int32(bytes.count))
        idStart.append(Int32(idArena.count)); idCount.append(Int32(ids.count))
        keyBytes.append(contentsOf: bytes)
        idArena.append(contentsOf: ids)
        slots[s] = Int32(hashes.count)
    }

    mutating func removeAll() {
        for i in slots.indices { slots[i] = 0 }
        hashes.removeAll(); keyStart.removeAll(); keyLength.removeAll(); idStart.removeAll(); idCount.removeAll()
        keyBytes.removeAll(); idArena.removeAll()
    }
}
