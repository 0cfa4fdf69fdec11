// ByteUnicodeMap: GPT-2's reversible map from the 256 byte values to printable Unicode characters.

/// GPT-2's `bytes_to_unicode`: every byte gets a printable character, so BPE tokens are ordinary strings.
///
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to themselves; the other 68 bytes (controls, space,
/// soft hyphen, …) map to U+0100 onward in byte order, so a space shows as `Ġ` (U+0120) and a newline as `Ċ`.
/// The same table as GPT-2's `encoder.py` and Hugging Face's `ByteLevel`.
public enum ByteUnicodeMap {
    /// The character of each byte value.
    public static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var extra: UInt32 = 0
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable { table[b] = Unicode.Scalar(UInt32(b))! } else {
                table[b] = Unicode.Scalar(256 + extra)!
                extra += 1
            }
        }
        return table
    }()

    /// The byte of each mapped character (characters U+0000–U+0143; nil for the rest).
    public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = Int(scalar.value)
        guard v < scalarToByte.count, scalarToByte[v] >= 0 else { return nil }
        return UInt8(scalarToByte[v])
    }

    static let scalarToByte: [Int16] = {
        var inverse = [Int16](repeating: -1, count: 324)
        for b in 0..<256 { inverse[Int(byteToScalar[b].value)] = Int16(b) }
        return inverse
    }()

    /// The mapped string of raw bytes (one character per byte).
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(byteToScalar[Int(b)]) }
        return String(s)
    }

    /// The raw bytes of a mapped string, or nil when it holds a character outside the map.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            guard let b = byte(for: s) else { return nil }
            out.append(b)
        }
        return out
    }

    /// Every mapped character: the initial alphabet of a byte-level BPE (HF's `ByteLevel.alphabet()`).
    public static var alphabet: [Unicode.Scalar] { byteToScalar }
}
