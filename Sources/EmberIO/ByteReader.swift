// Bounds-checked little-endian reads from a byte buffer: every read either succeeds or reports where it failed.

/// Reads fixed-width integers and byte runs from `bytes`, checking every access against the end.
///
/// Readers of hostile files index only through here, so a lying size or offset becomes a thrown
/// error (through `fail`) rather than an out-of-bounds trap.
struct ByteReader {
    let bytes: [UInt8]
    /// Offset of the next read.
    var position: Int

    init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    /// True when `count` bytes starting at `offset` lie inside the buffer (no overflow).
    func contains(offset: Int, count: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= bytes.count && count <= bytes.count - offset
    }

    /// Reads an unsigned little-endian integer of `width` bytes at `offset`, or nil when out of range.
    func uint(at offset: Int, width: Int) -> UInt64? {
        guard contains(offset: offset, count: width) else { return nil }
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        return v
    }

    func u16(at offset: Int) -> Int? { uint(at: offset, width: 2).map { Int($0) } }
    func u32(at offset: Int) -> UInt32? { uint(at: offset, width: 4).map { UInt32($0) } }
    func u64(at offset: Int) -> UInt64? { uint(at: offset, width: 8) }

    /// The bytes `offset ..< offset + count`, or nil when out of range.
    func slice(at offset: Int, count: Int) -> ArraySlice<UInt8>? {
        guard contains(offset: offset, count: count) else { return nil }
        return bytes[offset ..< offset + count]
    }

    /// Sequential reads (advance `position`); nil at the end of the buffer.
    mutating func readByte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readUInt(width: Int) -> UInt64? {
        guard let v = uint(at: position, width: width) else { return nil }
        position += width
        return v
    }

    mutating func readBytes(_ count: Int) -> ArraySlice<UInt8>? {
        guard let s = slice(at: position, count: count) else { return nil }
        position += count
        return s
    }
}

/// Appends little-endian integers to a byte array (writers build headers with these).
extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }

    mutating func appendBE<T: FixedWidthInteger>(_ value: T) {
        var v = value.bigEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }
}
