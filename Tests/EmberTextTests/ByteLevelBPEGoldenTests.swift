// ByteLevelBPEGoldenTests: ids of Hugging Face `tokenizers` on probes and on the whole book (text.json `bpe_bytelevel`).
import Foundation
import Testing
import EmberText
import _EmberTestSupport

/// The golden vocab.json / merges.txt paths named by the section's `files`.
func goldenBPEFiles() -> (vocab: String, merges: String) {
    let files = textGolden["bpe_bytelevel"]!["files"]!.strings
    let paths = files.map { goldenDirectory.appendingPathComponent($0).path }
    return (paths.first { $0.hasSuffix("vocab.json") }!, paths.first { $0.hasSuffix("merges.txt") }!)
}

/// The golden tokenizer, loaded once.
let goldenByteLevel: ByteLevelBPETokenizer = {
    let (vocab, merges) = goldenBPEFiles()
    do { return try ByteLevelBPETokenizer(vocabFile: vocab, mergesFile: merges) } catch { fatalError("\(error)") }
}()

@Suite struct ByteLevelBPEGoldenTests {
    let section = textGolden["bpe_bytelevel"]!

    @Test func everyCaseIsKnown() {
        let known: Set = ["tokenizers", "files", "trainer", "probes", "book"]
        for key in section.keys { #expect(known.contains(key), "unknown bpe_bytelevel case \(key)") }
        for probe in section["probes"]!.array {
            #expect(Set(probe.keys).isSubset(of: ["text", "ids", "tokens"]), "unknown probe field in \(probe.keys)")
        }
        #expect(Set(section["book"]!.keys).isSubset(of: ["chars", "num_ids", "first_500_ids", "ids_sum"]))
        // The files were written with add_prefix_space=False, which is this tokenizer's default.
        #expect(section["trainer"]!.string!.contains("add_prefix_space=False"))
    }

    @Test(arguments: 0..<textGolden["bpe_bytelevel"]!["probes"]!.array.count)
    func probe(_ index: Int) {
        let probe = section["probes"]!.array[index]
        let text = probe["text"]!.string!
        #expect(goldenByteLevel.encode(text) == probe["ids"]!.ints, "\(text.debugDescription)")
        #expect(goldenByteLevel.encodeToTokens(text) == probe["tokens"]!.strings)
        #expect(goldenByteLevel.decode(goldenByteLevel.encode(text)) == text)
    }

    @Test func wholeBook() throws {
        let book = section["book"]!
        let text = try String(contentsOfFile: try timeMachinePath(), encoding: .utf8)
        #expect(text.unicodeScalars.count == book["chars"]!.int!)
        let ids = goldenByteLevel.encode(text)
        #expect(ids.count == book["num_ids"]!.int!)
        #expect(Array(ids.prefix(500)) == book["first_500_ids"]!.ints)
        #expect(ids.reduce(0, +) == book["ids_sum"]!.int!)
        #expect(goldenByteLevel.decode(ids) == text)
    }
}
