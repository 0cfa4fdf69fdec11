// NumPy's .npy array format (versions 1-3): magic, a Python-dict header, raw little-endian data.
//
// Note for the lead: EmberIO keeps this small codec of its own because Sources/Ember/IO/Npy.swift was not
// in this branch yet; once it lands, `NpyCodec` can delegate to it (the behaviour below is numpy's).
import Ember

/// Encodes and decodes one `.npy` array.
enum NpyCodec {
    static func descr(_ d: DType) -> String? {
        switch d {
        case .bool: return "|b1"
        case .uint8: return "|u1"
        case .int8: return "|i1"
        case .int16: return "<i2"
        case .int32: return "<i4"
        case .int64: return "<i8"
        case .float16: return "<f2"
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .bfloat16: return nil // numpy has no bfloat16
        }
    }

    static func dtype(descr: String) -> DType? {
        // numpy writes '|' for one-byte types but accepts '<' and '=' too.
        var d = descr
        if d.hasPrefix("=") { d = "<" + d.dropFirst() }
        if d.count == 3, d.hasSuffix("1"), d.hasPrefix("<") { d = "|" + d.dropFirst() }
        return DType.allCases.first { NpyCodec.descr($0) == d }
    }

    /// The `.npy` bytes of `t` (version 1.0, header padded to 64 bytes as numpy >= 1.23 does).
    static func encode(_ t: Tensor, file: String?, entry: String? = nil) throws -> [UInt8] {
        guard let descr = descr(t.dtype) else {
            throw NpyError(.unsupportedDtype("bfloat16 (numpy has no bfloat16; convert to float32 first)"), file: file, entry: entry)
        }
        let shape = t.shape.count == 1 ? "(\(t.shape[0]),)" : "(" + t.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        if header.utf8.count > 65535 { throw NpyError(.invalidHeader("shape too long for a version 1.0 header"), file: file, entry: entry) }
        out.appendLE(UInt16(header.utf8.count))
        out += Array(header.utf8)
        t.withContiguousBytes { out.append(contentsOf: $0) }
        return out
    }

    /// Decodes `.npy` bytes into a contiguous tensor (Fortran-ordered arrays are transposed into row-major).
    static func decode(_ bytes: [UInt8], file: String?, entry: String? = nil) throws -> Tensor {
        func fail(_ k: NpyError.Kind) -> NpyError { NpyError(k, file: file, entry: entry) }
        let r = ByteReader(bytes)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else { throw fail(.badMagic) }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1: headerLength = r.u16(at: 8)!; headerStart = 10
        case 2, 3:
            guard let n = r.u32(at: 8) else { throw fail(.truncated) }
            headerLength = Int(n); headerStart = 12
        default: throw fail(.invalidHeader("version \(major).\(bytes[7])"))
        }
        guard let headerBytes = r.slice(at: headerStart, count: headerLength) else { throw fail(.truncated) }
        guard let header = String(validating: headerBytes, as: UTF8.self) else { throw fail(.invalidHeader("not UTF-8")) }
        let dict: NpyHeader
        do { dict = try NpyHeader.parse(header) } catch let e as NpyHeader.Failure { throw fail(.invalidHeader(e.message)) }
        guard let dtype = dtype(descr: dict.descr) else { throw fail(.unsupportedDtype(dict.descr)) }
        guard let numel = checkedProduct(dict.shape), let nbytes = checkedProduct([numel, dtype.itemSize]) else {
            throw fail(.invalidHeader("shape \(dict.shape) overflows"))
        }
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart == nbytes else { throw fail(.sizeMismatch(expected: nbytes, actual: bytes.count - dataStart)) }
        let shape = dict.fortranOrder ? Array(dict.shape.reversed()) : dict.shape
        let t = bytes.withUnsafeBytes { Tensor.fromBytes(UnsafeRawBufferPointer(rebasing: $0[dataStart...]), shape: shape, dtype: dtype) }
        try validateBoolBytes(t.storage, dtype: dtype, count: numel, file: file, entry: entry)
        if !dict.fortranOrder || t.rank < 2 { return t }
        // Column-major data is the transpose of the reversed shape's row-major data.
        return t.permute(Array((0..<t.rank).reversed())).contiguousDetached
    }
}

/// The header dict numpy writes: `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
struct NpyHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// Parses exactly the three keys numpy writes, in any order; anything else is refused.
    struct Failure: Error { let message: String }

    static func parse(_ text: String) throws -> NpyHeader {
        var s = Substring(text.trimmingTrailingSpaceAndNewline())
        func skip() { while let c = s.first, c == " " { s.removeFirst() } }
        func eat(_ c: Character) -> Bool { skip(); if s.first == c { s.removeFirst(); return true }; return false }
        func quoted() -> String? {
            skip()
            guard let q = s.first, q == "'" || q == "\"" else { return nil }
            s.removeFirst()
            guard let end = s.firstIndex(of: q) else { return nil }
            let v = String(s[..<end])
            s = s[s.index(after: end)...]
            return v
        }
        var descr: String?, fortran: Bool?, shape: [Int]?
        guard eat("{") else { throw Failure(message: "expected '{'") }
        while !eat("}") {
            guard let key = quoted(), eat(":") else { throw Failure(message: "expected 'key':") }
            skip()
            switch key {
            case "descr":
                guard let d = quoted() else { throw Failure(message: "descr is not a string (structured dtypes are not supported)") }
                descr = d
            case "fortran_order":
                if s.hasPrefix("True") { fortran = true; s = s.dropFirst(4) } else if s.hasPrefix("False") { fortran = false; s = s.dropFirst(5) } else { throw Failure(message: "fortran_order is not True/False") }
            case "shape":
                guard eat("(") else { throw Failure(message: "shape is not a tuple") }
                var dims: [Int] = []
                while !eat(")") {
                    skip()
                    var digits = ""
                    while let c = s.first, c.isASCII, c.isNumber { digits.append(c); s.removeFirst() }
                    guard let d = Int(digits), digits.count <= 18 else { throw Failure(message: "shape entry is not a non-negative integer") }
                    dims.append(d)
                    if !eat(",") { guard eat(")") else { throw Failure(message: "expected ',' or ')' in shape") }; break }
                }
                shape = dims
            default: throw Failure(message: "unexpected key '\(key)'")
            }
            if !eat(",") { guard eat("}") else { throw Failure(message: "expected ',' or '}'") }; break }
        }
        guard let d = descr, let f = fortran, let sh = shape else { throw Failure(message: "missing descr, fortran_order or shape") }
        return NpyHeader(descr: d, fortranOrder: f, shape: sh)
    }
}

extension String {
    func trimmingTrailingSpaceAndNewline() -> String {
        var s = Substring(self)
        while let c = s.last, c == " " || c == "\n" || c == "\r" || c == "\t" || c == "\0" { s.removeLast() }
        return String(s)
    }
}
