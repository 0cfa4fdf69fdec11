// The .npy parser: preamble, the Python-literal header dictionary, dtype and shape checks, then the data.
import Ember

/// Parses one `.npy` image held in memory; every check throws `NpyError` (no traps on any input).
struct NpyReader {
    let bytes: UnsafeRawBufferPointer
    let source: String

    init(bytes: UnsafeRawBufferPointer, source: String) {
        self.bytes = bytes
        self.source = source
    }

    func error(_ r: NpyError.Reason) -> NpyError { NpyError(file: source, reason: r) }

    func read() throws -> Tensor {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        let count = bytes.count
        for i in 0..<Swift.min(count, 6) where bytes[i] != magic[i] { throw error(.badMagic) }
        if count < 8 { throw error(.truncatedHeader(offset: count, needed: 10)) }
        let major = bytes[6], minor = bytes[7]
        guard (1...3).contains(major), minor == 0 else { throw error(.unsupportedVersion(major: major, minor: minor)) }
        let lengthBytes = major == 1 ? 2 : 4
        let headerStart = 8 + lengthBytes
        if count < headerStart { throw error(.truncatedHeader(offset: count, needed: headerStart)) }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let dataStart = headerStart + headerLength
        if count < dataStart { throw error(.truncatedHeader(offset: count, needed: dataStart)) }

        var parser = PyLiteralParser(bytes: UnsafeRawBufferPointer(rebasing: bytes[headerStart..<dataStart]))
        let header: PyLiteral
        do { header = try parser.parseHeader() } catch let e as PyLiteralParser.Failure {
            throw error(.malformedHeader(e.message))
        }
        guard case let .dict(entries) = header else { throw error(.malformedHeader("the header is not a dictionary")) }
        let keys = entries.map { $0.0 }.sorted()
        guard keys == ["descr", "fortran_order", "shape"] else {
            throw error(.malformedHeader("expected keys descr, fortran_order, shape; found \(keys)"))
        }
        let dict = Dictionary(entries, uniquingKeysWith: { a, _ in a })
        guard case let .str(descr)? = dict["descr"] else {
            throw error(.unsupportedDType("\(dict["descr"].map { "\($0)" } ?? "?") (structured dtypes are not supported)"))
        }
        guard case let .bool(fortran)? = dict["fortran_order"] else { throw error(.malformedHeader("fortran_order is not True or False")) }
        guard case let .tuple(dims)? = dict["shape"] else { throw error(.malformedHeader("shape is not a tuple")) }
        var shape: [Int] = []
        for d in dims {
            guard case let .int(v) = d, v >= 0 else { throw error(.malformedHeader("shape \(dims) has an entry that is not a non-negative integer")) }
            shape.append(v)
        }
        let (dtype, bigEndian) = try parseDescr(descr)

        guard let numel = ShapeArithmetic.elementCount(shape),
              let needed = ShapeArithmetic.byteCount(shape, itemSize: dtype.itemSize) else {
            throw error(.malformedHeader("shape \(shapeString(shape)) has more elements than memory can address"))
        }
        let available = count - dataStart
        if available < needed { throw error(.truncatedData(expected: needed, available: available)) }

        // Fortran order is C order of the reversed shape; reverse the dims back, then make it C-contiguous.
        let storedShape = fortran ? Array(shape.reversed()) : shape
        let t = Tensor(empty: storedShape, dtype: dtype)
        if needed > 0 { t.rawPointer.copyMemory(from: bytes.baseAddress! + dataStart, byteCount: needed) }
        if bigEndian && dtype.itemSize > 1 { byteSwap(t.rawPointer, count: numel, itemSize: dtype.itemSize) }
        if dtype == .bool {
            // Any nonzero byte is True; a Swift Bool must hold exactly 0 or 1.
            let p = t.rawPointer.assumingMemoryBound(to: UInt8.self)
            for i in 0..<numel where p[i] > 1 { p[i] = 1 }
        }
        if fortran && shape.count > 1 { return t.permute(Array((0..<shape.count).reversed())).contiguous() }
        return t
    }

    /// Maps a NumPy type string (`<f4`, `|u1`, `>i8`, ...) to a dtype and whether the data is big-endian.
    func parseDescr(_ descr: String) throws -> (DType, Bool) {
        var s = Substring(descr)
        var big = false
        if let c = s.first, "<>|=".contains(c) {
            big = c == ">"
            s = s.dropFirst()
        }
        let table: [Substring: DType] = ["b1": .bool, "u1": .uint8, "i1": .int8, "i2": .int16, "i4": .int32,
                                         "i8": .int64, "f2": .float16, "f4": .float32, "f8": .float64]
        guard let dtype = table[s] else { throw error(.unsupportedDType("'\(descr)'")) }
        return (dtype, big)
    }
}

private func byteSwap(_ p: UnsafeMutableRawPointer, count: Int, itemSize: Int) {
    switch itemSize {
    case 2: let q = p.assumingMemoryBound(to: UInt16.self); for i in 0..<count { q[i] = q[i].byteSwapped }
    case 4: let q = p.assumingMemoryBound(to: UInt32.self); for i in 0..<count { q[i] = q[i].byteSwapped }
    case 8: let q = p.assumingMemoryBound(to: UInt64.self); for i in 0..<count { q[i] = q[i].byteSwapped }
    default: break
    }
}

/// The Python literals a `.npy` header can contain.
indirect enum PyLiteral: CustomStringConvertible {
    case str(String), int(Int), bool(Bool), none
    case tuple([PyLiteral]), list([PyLiteral]), dict([(String, PyLiteral)])

    var description: String {
        switch self {
        case let .str(s): return "'\(s)'"
        case let .int(i): return String(i)
        case let .bool(b): return b ? "True" : "False"
        case .none: return "None"
        case let .tuple(v): return "(" + v.map(\.description).joined(separator: ", ") + (v.count == 1 ? ",)" : ")")
        case let .list(v): return "[" + v.map(\.description).joined(separator: ", ") + "]"
        case let .dict(v): return "{" + v.map { "'\($0.0)': \($0.1)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A small recursive-descent parser for the Python literal in a `.npy` header (bounded depth).
struct PyLiteralParser {
    struct Failure: Error { let message: String }
    let bytes: UnsafeRawBufferPointer
    var pos = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The header: one literal, then only whitespace.
    mutating func parseHeader() throws -> PyLiteral {
        let v = try value(depth: 0)
        skipSpace()
        if pos != bytes.count { throw Failure(message: "unexpected text after the dictionary at header byte \(pos)") }
        return v
    }

    mutating func skipSpace() {
        while pos < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[pos]) { pos += 1 }
    }

    func fail(_ what: String) -> Failure {
        Failure(message: pos < bytes.count ? "\(what) at header byte \(pos)" : "\(what) at the end of the header")
    }

    mutating func expect(_ c: UInt8) throws {
        skipSpace()
        guard pos < bytes.count, bytes[pos] == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
        pos += 1
    }

    /// Parses items up to `close`, allowing a trailing comma.
    mutating func items(close: UInt8, depth: Int, _ item: (inout PyLiteralParser) throws -> Void) throws {
        while true {
            skipSpace()
            if pos < bytes.count, bytes[pos] == close { pos += 1; return }
            try item(&self)
            skipSpace()
            guard pos < bytes.count else { throw fail("unterminated literal") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == close { pos += 1; return }
            throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
        }
    }

    mutating func value(depth: Int) throws -> PyLiteral {
        if depth > 16 { throw fail("nesting too deep") }
        skipSpace()
        guard pos < bytes.count else { throw fail("expected a value") }
        let c = bytes[pos]
        switch c {
        case UInt8(ascii: "{"):
            pos += 1
            var entries: [(String, PyLiteral)] = []
            try items(close: UInt8(ascii: "}"), depth: depth) { p in
                guard case let .str(key) = try p.value(depth: depth + 1) else { throw p.fail("dictionary key is not a string") }
                try p.expect(UInt8(ascii: ":"))
                entries.append((key, try p.value(depth: depth + 1)))
            }
            return .dict(entries)
        case UInt8(ascii: "("), UInt8(ascii: "["):
            pos += 1
            var elements: [PyLiteral] = []
            let close = c == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
            try items(close: close, depth: depth) { p in elements.append(try p.value(depth: depth + 1)) }
            return c == UInt8(ascii: "(") ? .tuple(elements) : .list(elements)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            pos += 1
            let start = pos
            while pos < bytes.count, bytes[pos] != c {
                if bytes[pos] == UInt8(ascii: "\\") { throw fail("escapes in strings are not supported") }
                pos += 1
            }
            guard pos < bytes.count else { throw fail("unterminated string") }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
            pos += 1
            return .str(text)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var negative = false
            if c == UInt8(ascii: "-") { negative = true; pos += 1 }
            var v = 0, digits = 0
            while pos < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[pos]) {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(bytes[pos] - UInt8(ascii: "0")))
                if o1 || o2 { throw fail("integer too large") }
                v = a; digits += 1; pos += 1
            }
            if digits == 0 { throw fail("expected digits") }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "L") { pos += 1 }   // Python 2 long suffix
            return .int(negative ? -v : v)
        default:
            for (word, lit) in [("True", PyLiteral.bool(true)), ("False", .bool(false)), ("None", .none)] {
                let w = Array(word.utf8)
                if pos + w.count <= bytes.count, (0..<w.count).allSatisfy({ bytes[pos + $0] == w[$0] }) {
                    pos += w.count
                    return lit
                }
            }
            throw fail("unexpected character")
        }
    }
}
