// BPEFiles: reading and writing GPT-2 / Hugging Face `vocab.json` and `merges.txt`, with errors that say where.
import Foundation

extension ByteLevelBPETokenizer {
    /// Loads a tokenizer from GPT-2 / Hugging Face files (`ByteLevelBPETokenizer(vocab, merges)` in Python).
    ///
    /// - Parameters:
    ///   - vocabFile: a JSON object `{"token": id, ...}`.
    ///   - mergesFile: one merge per line, `left right` separated by one space, in rank order; lines starting
    ///     with `#version` are skipped.
    ///   - addPrefixSpace: see `addPrefixSpace`.
    /// - Throws: `TextError.unreadableFile` when a file cannot be read; `TextError.corruptFile` naming the file,
    ///   line and column of malformed JSON, an id that is not a non-negative integer, a merge line without
    ///   exactly two tokens, or a merge whose tokens (or their concatenation) are not in the vocabulary.
    ///   `tokenizers` skips non-numeric vocabulary values silently; here they are errors.
    public convenience init(vocabFile: String, mergesFile: String, addPrefixSpace: Bool = false) throws {
        let vocab = try readVocabJSON(vocabFile)
        let (merges, lines) = try readMergesText(mergesFile)
        do {
            try self.init(checkedVocab: vocab, merges: merges, addPrefixSpace: addPrefixSpace)
        } catch let error as MergeError {
            throw TextError.corruptFile(path: mergesFile, line: lines[error.rank], column: 0, reason: error.reason)
        }
    }

    /// Writes `vocab.json` (tokens by id, compact, as `tokenizers` saves it) and `merges.txt` (with the
    /// `#version: 0.2` header) into `directory`, named `prefix-vocab.json` / `prefix-merges.txt` when a prefix
    /// is given (`tokenizer.save_model(directory, prefix)`). Each file is written atomically.
    /// - Returns: the paths of the two files.
    /// - Throws: `TextError.unwritableFile` when a file cannot be written.
    @discardableResult
    public func save(directory: String, prefix: String? = nil) throws -> (vocab: String, merges: String) {
        let stem = prefix.map { $0 + "-" } ?? ""
        let vocabPath = (directory as NSString).appendingPathComponent(stem + "vocab.json")
        let mergesPath = (directory as NSString).appendingPathComponent(stem + "merges.txt")
        var json = "{"
        var first = true
        for (id, token) in idToToken.enumerated() {
            guard let token else { continue }
            json += (first ? "" : ",") + jsonQuoted(token) + ":" + String(id)
            first = false
        }
        json += "}"
        var text = "#version: 0.2\n"
        for (a, b) in merges { text += a + " " + b + "\n" }
        for (path, contents) in [(vocabPath, json), (mergesPath, text)] {
            do { try Data(contents.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
                throw TextError.unwritableFile(path: path, reason: error.localizedDescription)
            }
        }
        return (vocabPath, mergesPath)
    }
}

/// A JSON string literal as serde_json writes it: `"` and `\` escaped, control characters as `\n`, `\u0001`...
func jsonQuoted(_ s: String) -> String {
    var out = "\""
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
            if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

func readFileBytes(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw TextError.unreadableFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "could not read the file" : "no such file")
    }
    return [UInt8](data)
}

/// Reads `merges.txt`: the merges and, for each, its 1-based line in the file.
func readMergesText(_ path: String) throws -> (merges: [(String, String)], lines: [Int]) {
    let bytes = try readFileBytes(path)
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw TextError.corruptFile(path: path, line: firstInvalidUTF8Line(bytes), column: 0, reason: "not valid UTF-8")
    }
    var merges: [(String, String)] = [], lines: [Int] = []
    // Lines as Rust's `BufRead::lines`: split at "\n", drop one "\r" before it, no empty line after a final "\n".
    var rawLines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if text.hasSuffix("\n") || text.isEmpty { rawLines.removeLast() }
    for (index, raw) in rawLines.enumerated() {
        let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
        if line.hasPrefix("#version") { continue }
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw TextError.corruptFile(path: path, line: index + 1, column: 0,
                                        reason: "a merge is two tokens separated by one space, found \(parts.count) part(s): '\(line.prefix(80))'")
        }
        merges.append((String(parts[0]), String(parts[1])))
        lines.append(index + 1)
    }
    return (merges, lines)
}

func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int {
    var line = 1, start = 0
    for (i, b) in bytes.enumerated() where b == 0x0A {
        if String(validating: bytes[start..<i], as: UTF8.self) == nil { return line }
        line += 1; start = i + 1
    }
    return line
}

/// Reads `vocab.json`: one JSON object of non-negative integer ids (a later duplicate key wins, as in serde_json).
func readVocabJSON(_ path: String) throws -> [String: Int] {
    var parser = VocabJSONParser(bytes: try readFileBytes(path), path: path)
    return try parser.parse()
}

/// A JSON parser for exactly one shape, `{"token": id, ...}`, that reports line and column of any fault.
struct VocabJSONParser {
    let bytes: [UInt8]
    let path: String
    var i = 0
    var line = 1
    var lineStart = 0
    /// Ids above this are refused: the id table is an array, and no real vocabulary comes near it.
    static let maxId = 1 << 24

    init(bytes: [UInt8], path: String) { self.bytes = bytes; self.path = path }

    func fail(_ reason: String) -> TextError {
        // Columns count characters (UTF-8 continuation bytes do not start one).
        let column = bytes[lineStart..<min(i, bytes.count)].filter { $0 & 0xC0 != 0x80 }.count + 1
        return TextError.corruptFile(path: path, line: line, column: column, reason: reason)
    }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A: i += 1; line += 1; lineStart = i
            default: return
            }
        }
    }

    mutating func expect(_ c: UInt8, _ what: String) throws {
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end of file, expected \(what)") }
        guard bytes[i] == c else { throw fail("expected \(what), found '\(Unicode.Scalar(bytes[i]))'") }
        i += 1
    }

    mutating func parse() throws -> [String: Int] {
        var vocab: [String: Int] = [:]
        skipSpace()
        if i < bytes.count && bytes[i] == 0xEF && bytes.count >= 3 && bytes[i + 1] == 0xBB && bytes[i + 2] == 0xBF { i += 3 }
        try expect(UInt8(ascii: "{"), "'{' (the vocabulary is a JSON object)")
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1 } else {
            while true {
                skipSpace()
                let token = try parseString()
                try expect(UInt8(ascii: ":"), "':'")
                skipSpace()
                let id = try parseId(token)
                vocab[token] = id
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of file, expected ',' or '}'") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}', found '\(Unicode.Scalar(bytes[i]))'")
            }
        }
        skipSpace()
        if i < bytes.count { throw fail("unexpected content after the vocabulary object") }
        return vocab
    }

    mutating func parseId(_ token: String) throws -> Int {
        let start = i
        while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
        let isFraction = i < bytes.count && (bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E"))
        guard i > start, !isFraction else {
            i = start
            throw fail("the id of \(jsonQuoted(token)) is not a non-negative integer")
        }
        guard i - start <= 9, let id = Int(String(decoding: bytes[start..<i], as: UTF8.self)), id <= Self.maxId else {
            i = start
            throw fail("the id of \(jsonQuoted(token)) is too large (at most \(Self.maxId))")
        }
        return id
    }

    mutating func parseString() throws -> String {
        guard i < bytes.count else { throw fail("unexpected end of file, expected a token string") }
        guard bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a token string, found '\(Unicode.Scalar(bytes[i]))'") }
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw fail("control character in a string") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i]; i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if (0xD800..<0xDC00).contains(v) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("lone surrogate \\u\(String(v, radix: 16))")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(v) {
                    throw fail("lone surrogate \\u\(String(v, radix: 16))")
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(v)!).utf8))
            default:
                i -= 1
                throw fail("invalid escape '\\\(Unicode.Scalar(e))'")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw fail("string is not valid UTF-8")
        }
        return s
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
            throw fail("invalid \\u escape")
        }
        i += 4
        return v
    }
}
