// EventFileReading: an independent reader for TFRecord event files and protobuf fields, for the tests.

import Foundation

/// CRC-32C written out bit by bit (no table), so the tests do not reuse the writer's implementation.
func bitwiseCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0x82F6_3B78 & (0 &- (crc & 1))) }
    }
    return ~crc
}

func maskedBitwiseCRC(_ bytes: [UInt8]) -> UInt32 {
    let c = bitwiseCRC32C(bytes)
    return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
}

func le<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>, as: T.Type) -> T {
    var v: T = 0
    for (i, b) in bytes.enumerated() { v |= T(b) << (8 * i) }
    return v
}

enum RecordError: Error, CustomStringConvertible {
    case truncated(offset: Int)
    case badLengthCRC(offset: Int)
    case badDataCRC(offset: Int)
    var description: String {
        switch self {
        case let .truncated(o): return "truncated record at offset \(o)"
        case let .badLengthCRC(o): return "bad length CRC at offset \(o)"
        case let .badDataCRC(o): return "bad data CRC at offset \(o)"
        }
    }
}

/// Splits a TFRecord file into its payloads, checking both masked CRCs of every record.
func readRecords(_ data: [UInt8]) throws -> [[UInt8]] {
    var out: [[UInt8]] = []
    var i = 0
    while i < data.count {
        guard i + 12 <= data.count else { throw RecordError.truncated(offset: i) }
        let n = Int(le(data[i..<i + 8], as: UInt64.self))
        guard le(data[i + 8..<i + 12], as: UInt32.self) == maskedBitwiseCRC(Array(data[i..<i + 8])) else {
            throw RecordError.badLengthCRC(offset: i)
        }
        guard i + 16 + n <= data.count else { throw RecordError.truncated(offset: i) }
        let payload = Array(data[i + 12..<i + 12 + n])
        guard le(data[i + 12 + n..<i + 16 + n], as: UInt32.self) == maskedBitwiseCRC(payload) else {
            throw RecordError.badDataCRC(offset: i)
        }
        out.append(payload)
        i += 16 + n
    }
    return out
}

func readRecords(path: String) throws -> [[UInt8]] {
    try readRecords([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
}

/// One decoded protobuf field: varints and fixed values as raw integers, length-delimited as bytes.
struct ProtoField {
    var number: Int
    var varint: UInt64 = 0
    var bytes: [UInt8] = []
    var double: Double { Double(bitPattern: varint) }
    var float: Float { Float(bitPattern: UInt32(truncatingIfNeeded: varint)) }
    var string: String { String(decoding: bytes, as: UTF8.self) }
    var fields: [ProtoField] { parseProto(bytes) }
}

/// Parses one message level into fields, in wire order.
func parseProto(_ b: [UInt8]) -> [ProtoField] {
    var out: [ProtoField] = []
    var i = 0
    func varint() -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            let byte = b[i]; i += 1
            v |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return v }
            shift += 7
        }
    }
    while i < b.count {
        let key = varint()
        var f = ProtoField(number: Int(key >> 3))
        switch key & 7 {
        case 0: f.varint = varint()
        case 1: f.varint = le(b[i..<i + 8], as: UInt64.self); i += 8
        case 5: f.varint = UInt64(le(b[i..<i + 4], as: UInt32.self)); i += 4
        case 2:
            let n = Int(varint())
            f.bytes = Array(b[i..<i + n]); i += n
        default: fatalError("unexpected wire type \(key & 7)")
        }
        out.append(f)
    }
    return out
}

extension Array where Element == ProtoField {
    func first(_ number: Int) -> ProtoField? { first { $0.number == number } }
    func all(_ number: Int) -> [ProtoField] { filter { $0.number == number } }
}

/// Event files directly inside `dir`.
func eventFiles(in dir: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { $0.hasPrefix("events.out.tfevents.") }.sorted().map { dir + "/" + $0 }
}

/// A fresh empty directory under the system temp directory.
func temporaryLogDir(_ name: String) -> String {
    let dir = NSTemporaryDirectory() + "ember-board-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.removeItem(atPath: dir)
    return dir
}
