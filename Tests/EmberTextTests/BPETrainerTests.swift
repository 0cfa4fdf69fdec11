// BPETrainerTests: training on the book reproduces the merges and vocabulary `tokenizers` wrote (text/ files).
import Foundation
import Testing
import EmberText

@Suite struct BPETrainerTests {
    /// text.json `bpe_bytelevel.trainer`: ByteLevelBPETokenizer().train([timemachine.txt], vocab_size=1000, min_frequency=2).
    @Test func trainingOnTheBookGivesTokenizersMerges() throws {
        let trainer = BPETrainer(vocabSize: 1000, minFrequency: 2)
        let trained = try trainer.train(files: [try timeMachinePath()])
        let golden = goldenByteLevel
        #expect(trained.vocabSize == golden.vocabSize)
        #expect(trained.merges.count == golden.merges.count)
        let firstDifferent = zip(trained.merges, golden.merges).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstDifferent == nil, "first different merge: \(String(describing: firstDifferent))")
        #expect(trained.tokenToId == golden.tokenToId)
        // Saved, the files are byte for byte the ones tokenizers wrote.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-bpe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let saved = try trained.save(directory: dir)
        let files = goldenBPEFiles()
        #expect(FileManager.default.contents(atPath: saved.vocab) == FileManager.default.contents(atPath: files.vocab))
        #expect(FileManager.default.contents(atPath: saved.merges) == FileManager.default.contents(atPath: files.merges))
    }

    /// Saving writes files that load back to the same tokenizer.
    @Test func saveAndReload() throws {
        let trained = BPETrainer(vocabSize: 300, minFrequency: 2).train(sequences: ["the cat sat on the mat\n", "the hat\n"])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-bpe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (vocabPath, mergesPath) = try trained.save(directory: dir, prefix: "tiny")
        let reloaded = try ByteLevelBPETokenizer(vocabFile: vocabPath, mergesFile: mergesPath)
        #expect(reloaded.tokenToId == trained.tokenToId)
        #expect(reloaded.merges.elementsEqual(trained.merges, by: ==))
        #expect(reloaded.encode("the cat sat") == trained.encode("the cat sat"))
    }

    /// By hand: pieces "ba" ×2 and "ab" ×2 (one sequence each). Pairs (b, a) and (a, b) both occur twice; the
    /// tie goes to the smaller (left id, right id), and 'a' < 'b' in the byte alphabet, so (a, b) is merged
    /// first although (b, a) was met first. A pair seen once is below minFrequency 2.
    @Test func tiesGoToTheSmallestPairOfIds() {
        let trained = BPETrainer(vocabSize: 258, minFrequency: 2).train(sequences: ["ba", "ab", "ba", "ab"])
        #expect(trained.merges.map { $0.0 + " " + $0.1 } == ["a b", "b a"])
        let once = BPETrainer(vocabSize: 300, minFrequency: 2).train(sequences: ["xy"])
        #expect(once.merges.isEmpty)
        #expect(once.vocabSize == 256)
    }
}
