// TextMisuseTests: programming errors stop with a message naming the operation (exit tests).
import Testing
import EmberText

@Suite("Text misuse")
struct TextMisuseTests {
    @Test func zeroBatchSize() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = seqDataIterSequential(Array(0..<100), batchSize: 0, numSteps: 5)
        }
        if let r {
            #expect(String(decoding: r.standardErrorContent, as: UTF8.self)
                .contains("seqDataIterSequential: batchSize should be a positive integer, got 0"))
        }
    }

    @Test func decodingAnUnknownId() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = ByteLevelBPETokenizer(vocab: ["a": 0, "b": 1], merges: []).decode([0, 7])
        }
        if let r {
            #expect(String(decoding: r.standardErrorContent, as: UTF8.self)
                .contains("ByteLevelBPETokenizer.decode: id 7 is not in the vocabulary (2 tokens)"))
        }
    }

    @Test func inMemoryMergeOutsideTheVocabulary() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = ByteLevelBPETokenizer(vocab: ["a": 0, "b": 1], merges: [("a", "b")])
        }
        if let r {
            #expect(String(decoding: r.standardErrorContent, as: UTF8.self)
                .contains("ByteLevelBPETokenizer: merge 1 (a b): merged token 'ab' is not in the vocabulary"))
        }
    }
}
