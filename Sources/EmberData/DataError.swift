// DataError: the typed errors of the data layer (missing or corrupt files, malformed CSV, failing samples).

/// An error reading data from the outside world, saying what was wrong and where.
///
/// Programming errors (bad batch size, mismatched tensor lengths) stop with a message instead, as
/// everywhere in Ember; only file contents and failing samples throw.
public enum DataError: Error, CustomStringConvertible, Equatable {
    /// Files a dataset needs are not at `path`; `expected` lists their names.
    case missingFiles(path: String, expected: [String])
    /// `path` exists but its contents are not what the format requires.
    case corruptFile(path: String, reason: String)
    /// A text table holds a value that is not a number (1-based line and column).
    case malformedValue(path: String, line: Int, column: Int, text: String)
    /// A text table row has a different number of columns than the first row.
    case columnCountMismatch(path: String, line: Int, expected: Int, found: Int)
    /// Loading or transforming sample `index` failed (raised by `DataLoader`, wrapping the cause).
    case sampleFailed(index: Int, reason: String)
    /// No address delivered `name` intact; `failures` says why for each address tried ("address: reason"),
    /// `folder` is where the file belongs (where to put it by hand).
    case downloadFailed(name: String, folder: String, failures: [String])
    /// A file or folder could not be created or written.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFiles(path, expected):
            return "dataset files not found in \(path): expected \(expected.joined(separator: ", "))"
        case let .corruptFile(path, reason):
            return "\(path): \(reason)"
        case let .malformedValue(path, line, column, text):
            return "\(path):\(line):\(column): could not convert string to float: '\(text)'"
        case let .columnCountMismatch(path, line, expected, found):
            return "\(path):\(line): the number of columns changed from \(expected) to \(found)"
        case let .sampleFailed(index, reason):
            return "DataLoader: loading sample \(index) failed: \(reason)"
        case let .downloadFailed(name, folder, failures):
            let tried = failures.isEmpty ? "no address to try" : failures.joined(separator: "; ")
            return "could not download \(name) (\(tried)); put \(name) into \(folder) by hand"
        case let .unwritable(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
