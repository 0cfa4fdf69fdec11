// A small JSON reader/writer for safetensors headers: keeps key order, limits depth, exact 64-bit integers.

/// A parsed JSON value; objects keep their key order (safetensors headers list tensors in file order).
indirect enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}

/// A strict JSON parser (RFC 8259) over UTF-8 bytes. Integers that fit `Int` stay exact (data offsets
/// beyond 2^53 must not round); nesting is limited so a hostile header cannot exhaust the stack.
struct JSONParser {
    struct Failure: Error { let message: String; let offset: Int }

    /// Raw buffer access: array indexing retains and releases per byte in debug builds, 10x slower.
    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0
    private let maxDepth = 64

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buf in
            var p = JSONParser(buf)
            p.skipSpace()
            let v = try p.value(depth: 0)
            p.skipSpace()
            guard p.i == p.b.count else { throw Failure(message: "trailing characters", offset: p.i) }
            return v
        }
    }

    private func fail(_ m: String) -> Failure { Failure(message: m, offset: i) }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    private mutating func expect(_ literal: String) throws {
        for c in literal.utf8 {
            guard i < b.count, b[i] == c else { throw fail("expected '\(literal)'") }
            i += 1
        }
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
        guard i < b.count else { throw fail("unexpected end") }
        switch b[i] {
        case 0x7B:
            i += 1
            var members: [(String, JSONValue)] = []
            skipSpace()
            if i < b.count, b[i] == 0x7D { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard i < b.count, b[i] == 0x22 else { throw fail("expected a string key") }
                let k = try string()
                skipSpace()
                try expect(":")
                skipSpace()
                members.append((k, try value(depth: depth + 1)))
                skipSpace()
                guard i < b.count else { throw fail("unterminated object") }
                if b[i] == 0x2C { i += 1; continue }
                if b[i] == 0x7D { i += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        case 0x5B:
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < b.count, b[i] == 0x5D { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < b.count else { throw fail("unterminated array") }
                if b[i] == 0x2C { i += 1; continue }
                if b[i] == 0x5D { i += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case 0x22: return .string(try string())
        case 0x74: try expect("true"); return .bool(true)
        case 0x66: try expect("false"); return .bool(false)
        case 0x6E: try expect("null"); return .null
        default: return try number()
        }
    }

    private mutating func number() throws -> JSONValue {
        let start = i
        if i < b.count, b[i] == 0x2D { i += 1 }
        let digitsStart = i
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        guard i > digitsStart else { throw fail("invalid value") }
        guard !(b[digitsStart] == 0x30 && i - digitsStart > 1) else { throw fail("leading zero") }
        var isInteger = true
        if i < b.count, b[i] == 0x2E {
            isInteger = false
            i += 1
            let f = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > f else { throw fail("digits expected after '.'") }
        }
        if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
            isInteger = false
            i += 1
            if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
            let e = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > e else { throw fail("digits expected in exponent") }
        }
        if isInteger {
            // Digits accumulate exactly; on overflow fall through to Double like serde_json's f64 fallback.
            var v = 0, overflow = false
            let negative = b[start] == 0x2D
            for k in digitsStart ..< i {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = negative ? m.subtractingReportingOverflow(Int(b[k] - 0x30)) : m.addingReportingOverflow(Int(b[k] - 0x30))
                if o1 || o2 { overflow = true; break }
                v = a
            }
            if !overflow { return .int(v) }
        }
        guard let d = Double(String(decoding: b[start ..< i], as: UTF8.self)) else { throw fail("invalid number") }
        return .number(d)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i ..< i + 4], as: UTF8.self), radix: 16) else {
            throw fail("invalid \\u escape")
        }
        i += 4
        return v
    }

    private mutating func string() throws -> String {
        i += 1 // opening quote
        var out: [UInt8] = []
        while true {
            guard i < b.count else { throw fail("unterminated string") }
            let c = b[i]
            i += 1
            switch c {
            case 0x22:
                guard let s = String(validating: out, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
                return s
            case 0x5C:
                guard i < b.count else { throw fail("unterminated escape") }
                let e = b[i]
                i += 1
                switch e {
                case 0x22, 0x5C, 0x2F: out.append(e)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    var u = try hex4()
                    if (0xD800 ..< 0xDC00).contains(u) {
                        try expect("\\u")
                        let lo = try hex4()
                        guard (0xDC00 ..< 0xE000).contains(lo) else { throw fail("unpaired surrogate") }
                        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(u) else { throw fail("invalid code point") }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw fail("invalid escape")
                }
            default:
                guard c >= 0x20 else { throw fail("control character in string") }
                out.append(c)
            }
        }
    }
}

/// Writes JSON compactly, escaping strings as serde_json does (the safetensors reference writer).
enum JSONWriter {
    static func write(_ v: JSONValue, into out: inout String) {
        switch v {
        case .null: out += "null"
        case .bool(let x): out += x ? "true" : "false"
        case .int(let x): out += String(x)
        case .number(let x): out += "\(x)"
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out += "["
            for (k, x) in items.enumerated() { if k > 0 { out += "," }; write(x, into: &out) }
            out += "]"
        case .object(let members):
            out += "{"
            for (k, (key, x)) in members.enumerated() {
                if k > 0 { out += "," }
                writeString(key, into: &out)
                out += ":"
                write(x, into: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
