// CSV loading: a delimited text table of numbers into a 2-d tensor (`np.loadtxt(path, delimiter=",")`).
import Foundation
import Ember

/// Loads a delimited text file of numbers into a `[rows, columns]` tensor, like `np.loadtxt(path, delimiter=",")`.
///
/// Blank lines are skipped; text after `comments` on a line is ignored; the first `skipRows` lines are skipped
/// (headers). Values are parsed as doubles and converted to `dtype` (default float32, as the notes'
/// `np.loadtxt(..., dtype=np.float32)`; NumPy's own default is float64). `nan`/`inf` are accepted.
///
/// - Throws: `DataError.malformedValue` with the 1-based line and column of a value that is not a number,
///   `DataError.columnCountMismatch` when a row has a different width, `DataError.missingFiles` when absent.
///
/// ```swift
/// let xy = try loadCSV("diabetes.csv")                 // [759, 9] float32
/// let ds = TensorDataset(xy.slice(1, end: -1), xy.slice(1, start: -1))
/// ```
///
/// - Parameters:
///   - path: The file to read.
///   - delimiter: The character between fields.
///   - skipRows: Lines skipped at the start (a header).
///   - comments: Lines starting with this character are skipped (nil: none).
///   - dtype: The element type of the result.
public func loadCSV(_ path: String, delimiter: Character = ",", skipRows: Int = 0, comments: Character? = "#",
                    dtype: DType = .float32) throws -> Tensor {
    guard let data = FileManager.default.contents(atPath: path) else {
        let dir = (path as NSString).deletingLastPathComponent
        throw DataError.missingFiles(path: dir.isEmpty ? "." : dir, expected: [(path as NSString).lastPathComponent])
    }
    return try parseCSV(data, name: path, delimiter: delimiter, skipRows: skipRows, comments: comments, dtype: dtype)
}

/// Parses delimited numeric text already in memory (see `loadCSV`); `name` is used in error messages.
///
/// - Parameters:
///   - data: The file's bytes.
///   - name: The name used in errors (a file name).
///   - delimiter: The character between fields.
///   - skipRows: Lines skipped at the start (a header).
///   - comments: Lines starting with this character are skipped (nil: none).
///   - dtype: The element type of the result.
public func parseCSV(_ data: Data, name: String = "<data>", delimiter: Character = ",", skipRows: Int = 0,
                     comments: Character? = "#", dtype: DType = .float32) throws -> Tensor {
    guard let delim = delimiter.asciiValue else { emberFail("loadCSV", "delimiter must be an ASCII character") }
    let comment = comments?.asciiValue
    var values: [Double] = []
    var columns = -1
    var rows = 0
    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        let bytes = raw.bindMemory(to: UInt8.self)
        let n = bytes.count
        var pos = 0
        var line = 0
        var field = [CChar](repeating: 0, count: 64)
        while pos < n {
            line += 1
            var end = pos
            while end < n && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let next = end + 1
            var stop = end
            if let c = comment, let k = (pos..<end).first(where: { bytes[$0] == c }) { stop = k }
            if stop > pos && bytes[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
            defer { pos = next }
            if line <= skipRows { continue }
            // Skip lines that hold only whitespace.
            if !(pos..<stop).contains(where: { bytes[$0] != 32 && bytes[$0] != 9 }) { continue }
            var count = 0
            var start = pos
            var column = 1
            while true {
                var fieldEnd = start
                while fieldEnd < stop && bytes[fieldEnd] != delim { fieldEnd += 1 }
                // Trim blanks around the value, as loadtxt does.
                var a = start, b = fieldEnd
                while a < b && (bytes[a] == 32 || bytes[a] == 9) { a += 1 }
                while b > a && (bytes[b - 1] == 32 || bytes[b - 1] == 9) { b -= 1 }
                let len = b - a
                if field.count < len + 1 { field = [CChar](repeating: 0, count: len + 1) }
                var parsed: Double? = nil
                if len > 0 {
                    parsed = field.withUnsafeMutableBufferPointer { buf -> Double? in
                        for k in 0..<len { buf[k] = CChar(bitPattern: bytes[a + k]) }
                        buf[len] = 0
                        var endPtr: UnsafeMutablePointer<CChar>? = nil
                        let v = strtod(buf.baseAddress!, &endPtr)
                        return endPtr == buf.baseAddress! + len ? v : nil
                    }
                }
                guard let v = parsed else {
                    let text = String(decoding: UnsafeRawBufferPointer(rebasing: raw[a..<b]), as: UTF8.self)
                    throw DataError.malformedValue(path: name, line: line, column: column, text: text)
                }
                values.append(v)
                count += 1
                column += 1
                if fieldEnd >= stop { break }
                start = fieldEnd + 1
            }
            if columns < 0 { columns = count }
            else if count != columns {
                throw DataError.columnCountMismatch(path: name, line: line, expected: columns, found: count)
            }
            rows += 1
        }
    }
    return Tensor(values, shape: [rows, Swift.max(columns, 0)]).to(dtype)
}
