// BPEFileErrorTests: corrupt vocab.json / merges.txt throw a TextError naming the file and line, never trap.
import Foundation
import Testing
import EmberText

@Suite struct BPEFileErrorTests {
    let goodVocab = #"{"a": 0, "b": 1, "ab": 2}"#
    let goodMerges = "#version: 0.2\na b\n"

    /// Writes the two files into a fresh folder and loads them.
    func load(vocab: String, merges: String) throws -> ByteLevelBPETokenizer {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-bpe-err-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try vocab.write(to: dir.appendingPathComponent("vocab.json"), atomically: true, encoding: .utf8)
        try merges.write(to: dir.appendingPathComponent("merges.txt"), atomically: true, encoding: .utf8)
        return try ByteLevelBPETokenizer(vocabFile: dir.appendingPathComponent("vocab.json").path,
                                         mergesFile: dir.appendingPathComponent("merges.txt").path)
    }

    /// The error thrown for these files, as (file name, line, column).
    func failure(vocab: String, merges: String) -> (file: String, line: Int, column: Int, reason: String)? {
        do {
            _ = try load(vocab: vocab, merges: merges)
            return nil
        } catch let TextError.corruptFile(path, line, column, reason) {
            return ((path as NSString).lastPathComponent, line, column, reason)
        } catch {
            return ("unexpected \(error)", 0, 0, "")
        }
    }

    @Test func goodFilesLoad() throws {
        let tok = try load(vocab: goodVocab, merges: goodMerges)
        #expect(tok.merges.count == 1)
        #expect(tok.vocabSize == 3)
    }

    @Test func corruptVocabularyNamesLineAndColumn() {
        let truncated = failure(vocab: "{\"a\": 0,\n \"b\": 1,\n \"ab\"", merges: goodMerges)
        #expect(truncated?.file == "vocab.json" && truncated?.line == 3)
        let notANumber = failure(vocab: "{\"a\": 0,\n\"b\": \"one\"}", merges: goodMerges)
        #expect(notANumber?.file == "vocab.json" && notANumber?.line == 2 && notANumber?.column == 6)
        let negative = failure(vocab: #"{"a": -1}"#, merges: "")
        #expect(negative?.line == 1 && negative?.column == 7)
        let fraction = failure(vocab: #"{"a": 1.5}"#, merges: "")
        #expect(fraction?.reason.contains("integer") == true)
        let notAnObject = failure(vocab: "[1, 2]", merges: "")
        #expect(notAnObject?.line == 1 && notAnObject?.column == 1)
        let badEscape = failure(vocab: #"{"a\q": 1}"#, merges: "")
        #expect(badEscape?.reason.contains("escape") == true)
        let trailing = failure(vocab: goodVocab + " x", merges: goodMerges)
        #expect(trailing?.file == "vocab.json")
    }

    @Test func corruptMergesNameTheLine() {
        let threeParts = failure(vocab: goodVocab, merges: "#version: 0.2\na b\na b c\n")
        #expect(threeParts?.file == "merges.txt" && threeParts?.line == 3)
        let empty = failure(vocab: goodVocab, merges: "#version: 0.2\n\na b\n")
        #expect(empty?.file == "merges.txt" && empty?.line == 2)
        let unknown = failure(vocab: goodVocab, merges: "#version: 0.2\na b\nb c\n")
        #expect(unknown?.file == "merges.txt" && unknown?.line == 3 && unknown?.reason.contains("'c'") == true)
        let unknownResult = failure(vocab: goodVocab, merges: "b a\n")
        #expect(unknownResult?.line == 1 && unknownResult?.reason.contains("'ba'") == true)
    }

    @Test func missingFileThrows() {
        #expect(throws: TextError.self) {
            try ByteLevelBPETokenizer(vocabFile: "/nonexistent/vocab.json", mergesFile: "/nonexistent/merges.txt")
        }
    }

    @Test func unescapesJSONStrings() throws {
        let tok = try load(vocab: #"{"\u0120": 0, "\"": 1, "\u0120\"": 2, "\ud83d\ude80": 3}"#, merges: "Ġ \"\n")
        #expect(tok.tokenToId["Ġ\""] == 2)
        #expect(tok.tokenToId["🚀"] == 3)
    }
}
