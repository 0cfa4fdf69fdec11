// TextError: the typed errors of the text layer (missing corpus, corrupt tokenizer files).

/// An error reading text data or tokenizer files, saying what was wrong and where.
///
/// Programming errors (a batch size of zero, a token id outside the vocabulary) stop with a message through
/// `emberFail` instead; only the contents of files throw.
public enum TextError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read at all (missing, unreadable, not UTF-8).
    case unreadableFile(path: String, reason: String)
    /// A corpus or tokenizer file was not found; `searched` lists the places looked at.
    case missingFile(name: String, searched: [String])
    /// A file could not be written (`reason` from the system).
    case unwritableFile(path: String, reason: String)
    /// `path` is malformed at 1-based `line` (and `column` when it is known, else 0).
    case corruptFile(path: String, line: Int, column: Int, reason: String)

    /// The message: what was wrong and where (`path:line:column: reason`).
    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "\(path): \(reason)"
        case let .unwritableFile(path, reason):
            return "\(path): could not write: \(reason)"
        case let .missingFile(name, searched):
            let places = searched.isEmpty ? "no data folder found (set EMBER_DATA_DIR)" : searched.joined(separator: ", ")
            return "\(name) not found; looked in: \(places)"
        case let .corruptFile(path, line, column, reason):
            return column > 0 ? "\(path):\(line):\(column): \(reason)" : "\(path):\(line): \(reason)"
        }
    }
}
