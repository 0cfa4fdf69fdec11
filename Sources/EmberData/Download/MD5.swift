// MD5 (RFC 1321): the checksum torchvision publishes for every dataset file it downloads.
import Foundation

/// An incremental MD5 digest, used to check downloads against torchvision's published checksums.
///
/// MD5 is no defence against a forged file, only against a damaged one; it is here because it is the checksum
/// torchvision and the dataset authors publish.
///
/// ```swift
/// var md5 = MD5()
/// md5.update(Data("abc".utf8))
/// md5.hexDigest()   // "900150983cd24fb0d6963f7d28e17f72"
/// ```
public struct MD5 {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
    private var buffer = [UInt8](repeating: 0, count: 64)
    private var buffered = 0
    private var length: UInt64 = 0

    public init() {}

    /// The hex digest of `bytes` in one call.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var md5 = MD5()
        md5.update(Array(bytes))
        return md5.hexDigest()
    }

    /// Feeds more bytes.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// Feeds more bytes from memory.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var i = 0
        if buffered > 0 {
            let take = Swift.min(64 - buffered, bytes.count)
            for j in 0..<take { buffer[buffered + j] = bytes[j] }
            buffered += take; i = take
            guard buffered == 64 else { return }
            buffer.withUnsafeBytes { compress($0.baseAddress!) }
            buffered = 0
        }
        while bytes.count - i >= 64 {
            compress(bytes.baseAddress! + i)
            i += 64
        }
        for j in i..<bytes.count { buffer[buffered] = bytes[j]; buffered += 1 }
    }

    /// The 16-byte digest of everything fed so far (the digest is not consumed: more bytes may follow).
    public func digest() -> [UInt8] {
        var copy = self
        let bits = length &* 8
        var padding: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (55 - Int(length % 64) + 64) % 64)
        for k in 0..<8 { padding.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
        padding.withUnsafeBytes { copy.updateWithoutCounting($0) }
        let (a, b, c, d) = copy.state
        return [a, b, c, d].flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } }
    }

    /// The digest as 32 lowercase hex digits (`hashlib.md5(...).hexdigest()`).
    public func hexDigest() -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest() { out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func updateWithoutCounting(_ bytes: UnsafeRawBufferPointer) {
        let saved = length
        update(bytes)
        length = saved
    }

    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
    // K[i] = floor(2^32 * |sin(i + 1)|).
    private static let constants: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }

    private mutating func compress(_ block: UnsafeRawPointer) {
        @inline(__always) func m(_ j: Int) -> UInt32 { UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * j, as: UInt32.self)) }
        var (a, b, c, d) = state
        MD5.constants.withUnsafeBufferPointer { K in
            MD5.shifts.withUnsafeBufferPointer { S in
                for i in 0..<64 {
                    var f: UInt32, g: Int
                    switch i >> 4 {
                    case 0: f = (b & c) | (~b & d); g = i
                    case 1: f = (d & b) | (~d & c); g = (5 * i + 1) & 15
                    case 2: f = b ^ c ^ d; g = (3 * i + 5) & 15
                    default: f = c ^ (b | ~d); g = (7 * i) & 15
                    }
                    f = f &+ a &+ K[i] &+ m(g)
                    a = d; d = c; c = b
                    let s = S[(i >> 4) * 4 + (i & 3)]
                    b = b &+ ((f << s) | (f >> (32 - s)))
                }
            }
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
