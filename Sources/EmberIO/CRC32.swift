// CRC-32 (IEEE 802.3, zlib's crc32): the checksum zip records per entry and `inspect` prints per tensor.

/// The standard reflected CRC-32 (polynomial 0xEDB88320), computed slicing-by-8 for speed in debug builds too.
struct CRC32 {
    /// 8 tables of 256 entries: table k advances the CRC by one byte followed by k zero bytes.
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
            t[i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k * 256 + i] = (t[(k - 1) * 256 + i] >> 8) ^ t[Int(t[(k - 1) * 256 + i] & 0xFF)] }
        }
        return t
    }()

    private(set) var value: UInt32 = 0

    /// Feeds `count` bytes at `p`.
    mutating func update(_ p: UnsafeRawPointer, count: Int) {
        var c = ~value
        var i = 0
        CRC32.tables.withUnsafeBufferPointer { tb in
            let t = tb.baseAddress!
            while i + 8 <= count {
                let lo = p.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian ^ c
                let hi = p.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < count {
                c = t[Int((c ^ UInt32(p.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        value = ~c
    }

    /// The CRC-32 of a whole buffer.
    static func checksum(_ p: UnsafeRawPointer, count: Int) -> UInt32 {
        var c = CRC32()
        c.update(p, count: count)
        return c.value
    }

    /// The CRC-32 of a byte array.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { b in b.baseAddress.map { checksum($0, count: b.count) } ?? 0 }
    }
}
