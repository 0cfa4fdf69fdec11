// Tokenize: d2l's `tokenize(lines, token)`, splitting lines into words or characters.

/// What `tokenize` splits a line into.
public enum TokenKind: Sendable {
    /// Whitespace-separated words (Python's `line.split()`).
    case word
    /// Single characters (Python's `list(line)`: one token per Unicode scalar).
    case char
}

/// Splits each line into tokens, as d2l's `tokenize(lines, token='word')`.
///
/// `.word` splits on runs of whitespace and drops empty pieces (Python's `str.split()`, whose whitespace is
/// Unicode's White_Space plus the separators U+001C–U+001F); `.char` gives one
/// token per Unicode scalar (Python's `list(line)`, which iterates code points). d2l prints an error for an
/// unknown token type; here the kind is an enum, so there is none.
///
/// ```swift
/// let lines = try readTimeMachine()
/// let words = tokenize(lines)            // [["the", "time", "machine", ...], ...]
/// let chars = tokenize(lines, .char)     // [["t", "h", "e", " ", ...], ...]
/// ```
/// - Returns: one array of tokens per line (empty lines give empty arrays).
public func tokenize(_ lines: [String], _ kind: TokenKind = .word) -> [[String]] {
    switch kind {
    case .word:
        return lines.map { line in
            line.unicodeScalars.split(whereSeparator: isPythonWhitespace).map { String(String.UnicodeScalarView($0)) }
        }
    case .char:
        return lines.map { line in line.unicodeScalars.map { String($0) } }
    }
}

/// Python's `str.isspace()` for one scalar: Unicode White_Space plus U+001C–U+001F.
@inline(__always)
func isPythonWhitespace(_ s: Unicode.Scalar) -> Bool {
    (0x1C...0x1F).contains(s.value) || s.properties.isWhitespace
}
