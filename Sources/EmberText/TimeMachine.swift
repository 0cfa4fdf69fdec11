// TimeMachine: d2l's `read_time_machine` and `load_corpus_time_machine` over the book shipped in `Data/`.
import Foundation
import EmberData

/// The file name of H. G. Wells' *The Time Machine* inside its data folder (`Data/timemachine/`).
public let timeMachineFileName = "timemachine.txt"

/// Finds the book: an explicit `path` (the file, or a folder holding `timemachine.txt`), else
/// `$EMBER_DATA_DIR/timemachine/`, else the copy that ships in the repository (`Data/timemachine/`).
/// - Throws: `TextError.missingFile` listing the places searched.
public func timeMachinePath(_ path: String? = nil) throws -> String {
    if let path {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            return isDir.boolValue ? (path as NSString).appendingPathComponent(timeMachineFileName) : path
        }
        throw TextError.missingFile(name: timeMachineFileName, searched: [path])
    }
    if let folder = BundledData.folder(for: "timemachine", containing: timeMachineFileName) {
        return (folder as NSString).appendingPathComponent(timeMachineFileName)
    }
    throw TextError.missingFile(name: timeMachineFileName, searched: BundledData.candidates(for: "timemachine"))
}

/// Reads *The Time Machine* as cleaned lines, as d2l's `read_time_machine()`.
///
/// Each line has every run of characters other than ASCII letters replaced by one space, then is stripped
/// and lower-cased (d2l: `re.sub('[^A-Za-z]+', ' ', line).strip().lower()`). Lines end at `\n`, `\r\n` or `\r`
/// (Python's universal newlines); blank lines stay, as empty strings.
///
/// ```swift
/// let lines = try readTimeMachine()
/// print(lines.count, lines[0])   // 3221 the time machine by h g wells
/// ```
/// - Parameter path: the book's file (or its folder); by default the copy shipped in `Data/timemachine/`.
/// - Throws: `TextError.missingFile` when the book is not found, `.unreadableFile` when it cannot be read.
public func readTimeMachine(path: String? = nil) throws -> [String] {
    let file = try timeMachinePath(path)
    guard let data = FileManager.default.contents(atPath: file) else {
        throw TextError.unreadableFile(path: file, reason: "could not read the file")
    }
    return cleanLettersOnlyLines([UInt8](data))
}

/// d2l's cleaning over raw bytes: split into lines, keep ASCII letters (lower-cased), collapse every other
/// run into one space, strip. Bytes of multi-byte UTF-8 characters are never letters, so working on bytes is
/// exact.
func cleanLettersOnlyLines(_ bytes: [UInt8]) -> [String] {
    var lines: [String] = []
    var line: [UInt8] = []
    var pendingSpace = false
    func finishLine() {
        lines.append(String(decoding: line, as: UTF8.self))
        line.removeAll(keepingCapacity: true)
        pendingSpace = false
    }
    var i = 0
    while i < bytes.count {
        let b = bytes[i]
        if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
            finishLine()
            if b == UInt8(ascii: "\r"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
        } else if (b >= 65 && b <= 90) || (b >= 97 && b <= 122) {
            // A pending space only counts between letters: leading and trailing runs are stripped.
            if pendingSpace && !line.isEmpty { line.append(UInt8(ascii: " ")) }
            pendingSpace = false
            line.append(b | 0x20)
        } else {
            pendingSpace = true
        }
        i += 1
    }
    if !line.isEmpty || pendingSpace { finishLine() }
    return lines
}

/// The book as character indices and their vocabulary, as d2l's `load_corpus_time_machine(max_tokens)`.
///
/// Lines are tokenized into characters (without line breaks between them, as in d2l) and looked up in a
/// `Vocab` of those characters (26 letters, the space and `<unk>`: 28 tokens).
///
/// ```swift
/// let (corpus, vocab) = try loadCorpusTimeMachine()
/// print(corpus.count, vocab.count)   // 170580 28
/// ```
/// - Parameters:
///   - maxTokens: keep only the first `maxTokens` indices; `-1` (or any value ≤ 0, as in d2l) keeps all.
///   - path: the book's file or folder, as for `readTimeMachine`.
/// - Throws: as `readTimeMachine`.
public func loadCorpusTimeMachine(maxTokens: Int = -1, path: String? = nil) throws -> (corpus: [Int], vocab: Vocab) {
    let tokens = tokenize(try readTimeMachine(path: path), .char)
    let vocab = Vocab(tokens)
    var corpus = tokens.flatMap { vocab[$0] }
    if maxTokens > 0 && corpus.count > maxTokens { corpus.removeSubrange(maxTokens...) }
    return (corpus, vocab)
}
