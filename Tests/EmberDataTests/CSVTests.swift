// Tests for CSV loading: values, comments, headers, and the line/column of malformed values.
import Testing
import Foundation
import Ember
import EmberData

@Suite struct CSVTests {
    func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ember-csv-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func loadsLikeLoadtxt() throws {
        // The first two rows of the notes' diabetes.csv.
        let path = try write("-0.294118,0.487437,0.180328,-0.292929,0,0.00149028,-0.53117,-0.0333333,0\n-0.882353,-0.145729,0.0819672,-0.414141,0,-0.207153,-0.766866,-0.666667,1\n")
        let xy = try loadCSV(path)
        #expect(xy.shape == [2, 9])
        #expect(xy.dtype == .float32)
        #expect(xy.toArray(as: Float.self)[0] == Float(-0.294118))
        #expect(xy.toArray(as: Float.self)[17] == 1)
        let d = try loadCSV(path, dtype: .float64)
        #expect(d.scalars[1] == 0.487437)
    }

    @Test func headersCommentsBlankLinesAndCRLF() throws {
        let path = try write("a;b\r\n1; 2 # note\r\n\r\n  \n# whole-line comment\n3;4e1\r\n")
        let t = try loadCSV(path, delimiter: ";", skipRows: 1)
        #expect(t.shape == [2, 2])
        #expect(t.scalars == [1, 2, 3, 40])
    }

    @Test func malformedValueNamesLineAndColumn() throws {
        let path = try write("1,2,3\n4,5,6\n7,x8,9\n")
        #expect(throws: DataError.malformedValue(path: path, line: 3, column: 2, text: "x8")) { try loadCSV(path) }
        let empty = try write("1,2,3\n4,,6\n")
        #expect(throws: DataError.malformedValue(path: empty, line: 2, column: 2, text: "")) { try loadCSV(empty) }
        do { _ = try loadCSV(path) } catch {
            #expect("\(error)".contains(":3:2: could not convert string to float: 'x8'"))
        }
    }

    @Test func rowWidthChangeAndMissingFile() throws {
        let path = try write("1,2,3\n4,5\n")
        #expect(throws: DataError.columnCountMismatch(path: path, line: 2, expected: 3, found: 2)) { try loadCSV(path) }
        #expect(throws: DataError.missingFiles(path: "/nonexistent-dir", expected: ["diabetes.csv"])) {
            try loadCSV("/nonexistent-dir/diabetes.csv")
        }
    }
}
