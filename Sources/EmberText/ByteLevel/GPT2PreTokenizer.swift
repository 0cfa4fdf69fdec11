// GPT2PreTokenizer: GPT-2's splitting pattern, written by hand over Unicode scalars (no regex engine).

/// Splits text into the pieces GPT-2 (and Hugging Face's `ByteLevel` pre-tokenizer) encode one at a time.
///
/// Equivalent to the regex `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// (alternatives tried in order at each position): English contractions (lower case only); a run of letters,
/// of digits or of other symbols, each optionally led by one space (U+0020); a run of whitespace that leaves
/// its last character to lead the next word; whitespace that ends the text. Every scalar lands in exactly one
/// piece, so joining the pieces gives the text back. `\s` is Unicode's White_Space (Oniguruma's `\s`, which
/// `tokenizers` uses), `\p{L}`/`\p{N}` the letter and number general categories.
///
/// ```swift
/// GPT2PreTokenizer.split("Hello  world's 42!")   // ["Hello", " ", " world", "'s", " 42", "!"]
/// ```
public enum GPT2PreTokenizer {
    /// The pieces of `text`, in order.
    public static func split(_ text: String) -> [String] {
        var copy = text
        return copy.withUTF8 { buf in
            var pieces: [String] = []
            forEachPiece(buf) { range in pieces.append(String(decoding: UnsafeBufferPointer(rebasing: buf[range]), as: UTF8.self)) }
            return pieces
        }
    }

    /// Calls `body` with the byte range of each piece of the UTF-8 text `bytes` (which must be valid UTF-8).
    public static func forEachPiece(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        let n = bytes.count
        var i = 0
        while i < n {
            let (cls, len) = scalarClass(bytes, i)
            // 1. Contractions: 's 't 'm 'd 're 've 'll (case-sensitive).
            if bytes[i] == 0x27, let k = contractionLength(bytes, i) {
                body(i..<(i + k)); i += k; continue
            }
            // 2-4. ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: the space joins the run that follows it.
            var runStart = i, runClass = cls, runLen = len
            if bytes[i] == 0x20, i + 1 < n {
                let (next, nextLen) = scalarClass(bytes, i + 1)
                if next != .space { runStart = i + 1; runClass = next; runLen = nextLen }
            }
            if runClass != .space {
                var k = runStart + runLen
                while k < n {
                    let (c, l) = scalarClass(bytes, k)
                    if c != runClass { break }
                    k += l
                }
                body(i..<k); i = k; continue
            }
            // 5-6. `\s+(?!\S)` then `\s+`: a whitespace run gives back its last scalar when a non-space follows.
            var k = i, last = i
            while k < n {
                let (c, l) = scalarClass(bytes, k)
                if c != .space { break }
                last = k; k += l
            }
            let end = (k < n && last > i) ? last : k
            body(i..<end); i = end
        }
    }

    /// The Unicode version whose letters and numbers the pattern knows (that of `tokenizers`' regex engine).
    public static let maxUnicodeMajorVersion = 16

    /// How a scalar takes part in the pattern.
    public enum ScalarClass: UInt8, Sendable { case letter, number, space, other }

    /// The class and UTF-8 length of the scalar starting at byte `i`.
    static func scalarClass(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> (ScalarClass, Int) {
        let b0 = bytes[i]
        if b0 < 0x80 { return (asciiClass(b0), 1) }
        var value: UInt32, len: Int
        if b0 < 0xE0 { value = UInt32(b0 & 0x1F); len = 2 } else if b0 < 0xF0 { value = UInt32(b0 & 0x0F); len = 3 } else { value = UInt32(b0 & 0x07); len = 4 }
        len = min(len, bytes.count - i)
        for k in 1..<max(len, 1) { value = (value << 6) | UInt32(bytes[i + k] & 0x3F) }
        return (classOf(Unicode.Scalar(value) ?? "\u{FFFD}"), len)
    }

    static func asciiClass(_ b: UInt8) -> ScalarClass {
        switch b {
        case 0x41...0x5A, 0x61...0x7A: return .letter
        case 0x30...0x39: return .number
        case 0x09...0x0D, 0x20: return .space
        default: return .other
        }
    }

    /// The class of any scalar: Unicode's White_Space, general categories L* and N* as of Unicode 16.
    ///
    /// Swift's tables are Unicode 17; the Oniguruma inside `tokenizers` 0.23 knows Unicode 16, where the
    /// letters and digits added in 17 are unassigned (so "other"). Checked against `tokenizers` for every
    /// code point.
    public static func classOf(_ s: Unicode.Scalar) -> ScalarClass {
        if s.isASCII { return asciiClass(UInt8(s.value)) }
        let p = s.properties
        if p.isWhitespace { return .space }
        if let age = p.age, age.major > maxUnicodeMajorVersion { return .other }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// The byte length of the contraction starting at the apostrophe at `i`, if any.
    static func contractionLength(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int? {
        guard i + 1 < bytes.count else { return nil }
        switch bytes[i + 1] {
        case 0x73, 0x74, 0x6D, 0x64: return 2                       // s t m d
        case 0x72, 0x76:                                              // re ve
            return i + 2 < bytes.count && bytes[i + 2] == 0x65 ? 3 : nil
        case 0x6C:                                                    // ll
            return i + 2 < bytes.count && bytes[i + 2] == 0x6C ? 3 : nil
        default: return nil
        }
    }
}
