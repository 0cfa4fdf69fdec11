// OrderedJSON: a JSON reader that keeps object keys in file order (the notes' BPE ties depend on that order).
import Foundation
import _EmberTestSupport

/// A parsed JSON value; objects keep their keys in the order of the file.
indirect enum OrderedJSON {
    case object([(String, OrderedJSON)])
    case array([OrderedJSON])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    subscript(key: String) -> OrderedJSON? {
        if case let .object(pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }
    var keys: [String] { if case let .object(p) = self { return p.map(\.0) }; return [] }
    var pairs: [(String, OrderedJSON)] { if case let .object(p) = self { return p }; return [] }
    var array: [OrderedJSON] { if case let .array(a) = self { return a }; return [] }
    var string: String? { if case let .string(s) = self { return s }; return nil }
    var int: Int? { if case let .number(n) = self { return Int(exactly: n) }; return nil }
    var ints: [Int] { array.compactMap(\.int) }
    var strings: [String] { array.compactMap(\.string) }

    /// Parses `text.json` (or any file) from the golden directory.
    static func golden(_ name: String) throws -> OrderedJSON {
        let bytes = [UInt8](try Data(contentsOf: goldenDirectory.appendingPathComponent(name)))
        var p = Parser(bytes: bytes)
        return try p.value()
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0
        struct Failure: Error, CustomStringConvertible { let description: String }

        mutating func ws() { while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 } }

        mutating func value() throws -> OrderedJSON {
            ws()
            guard i < bytes.count else { throw Failure(description: "unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1; var pairs: [(String, OrderedJSON)] = []
                ws(); if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                while true {
                    ws(); guard case let .string(k) = try value() else { throw Failure(description: "key at \(i)") }
                    ws(); i += 1   // ':'
                    pairs.append((k, try value()))
                    ws(); let c = bytes[i]; i += 1
                    if c == UInt8(ascii: "}") { return .object(pairs) }
                }
            case UInt8(ascii: "["):
                i += 1; var items: [OrderedJSON] = []
                ws(); if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    items.append(try value())
                    ws(); let c = bytes[i]; i += 1
                    if c == UInt8(ascii: "]") { return .array(items) }
                }
            case UInt8(ascii: "\""):
                i += 1; var out: [UInt8] = []
                while bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\") {
                        i += 1
                        let e = bytes[i]; i += 1
                        switch e {
                        case UInt8(ascii: "n"): out.append(0x0A)
                        case UInt8(ascii: "t"): out.append(0x09)
                        case UInt8(ascii: "r"): out.append(0x0D)
                        case UInt8(ascii: "b"): out.append(0x08)
                        case UInt8(ascii: "f"): out.append(0x0C)
                        case UInt8(ascii: "u"):
                            var v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)!; i += 4
                            if (0xD800..<0xDC00).contains(v) {
                                let lo = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16)!; i += 6
                                v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                            }
                            out += Array(String(Unicode.Scalar(v)!).utf8)
                        default: out.append(e)
                        }
                    } else { out.append(bytes[i]); i += 1 }
                }
                i += 1
                return .string(String(decoding: out, as: UTF8.self))
            case UInt8(ascii: "t"): i += 4; return .bool(true)
            case UInt8(ascii: "f"): i += 5; return .bool(false)
            case UInt8(ascii: "n"): i += 4; return .null
            default:
                // Python's json writes NaN, Infinity and -Infinity (the attention masks hold -Infinity).
                for (word, v) in [("NaN", Double.nan), ("Infinity", .infinity), ("-Infinity", -.infinity)]
                where bytes[i...].starts(with: word.utf8) {
                    i += word.utf8.count; return .number(v)
                }
                let start = i
                while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
                guard let d = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else {
                    throw Failure(description: "bad number at \(start)")
                }
                return .number(d)
            }
        }
    }
}

/// The `text.json` golden file, parsed once for all suites.
let textGolden: OrderedJSON = {
    do { return try OrderedJSON.golden("text.json") } catch { fatalError("text.json: \(error)") }
}()
