// WordBPEGoldenTests: the notes' word-level BPE examples (text.json `bpe_word`).
import Testing
import EmberText

@Suite struct WordBPEGoldenTests {
    let section = textGolden["bpe_word"]!

    static func merges(_ json: OrderedJSON) -> [WordBPE.Merge] {
        json.array.map { WordBPE.Merge($0.array[0].string!, $0.array[1].string!, count: $0.array[2].int!) }
    }

    @Test func everyCaseIsKnown() {
        let known: Set = ["rule", "notes_example", "notes_encoding", "compress_example"]
        for key in section.keys { #expect(known.contains(key), "unknown bpe_word case \(key)") }
        #expect(Set(section["notes_example"]!.keys).isSubset(of: ["vocab", "num_merges", "merges", "final_vocab"]))
        #expect(Set(section["notes_encoding"]!.keys).isSubset(of: ["subwords", "words", "decode"]))
        #expect(Set(section["compress_example"]!.keys).isSubset(of: ["text", "merges", "final"]))
    }

    @Test func notesExampleMergesAndFinalVocabulary() {
        let example = section["notes_example"]!
        let words = WordBPE.splitSymbols(example["vocab"]!.pairs.map { ($0.0, $0.1.int!) })
        let (merges, final) = WordBPE.learn(words, numMerges: example["num_merges"]!.int!)
        #expect(merges == Self.merges(example["merges"]!))
        let expected = example["final_vocab"]!.pairs
        #expect(final.map(\.spelled) == expected.map(\.0))
        #expect(final.map(\.count) == expected.map { $0.1.int! })
    }

    @Test func notesEncodingAndDecoding() {
        let example = section["notes_encoding"]!
        let subwords = Set(example["subwords"]!.strings)
        for (word, tokens) in example["words"]!.pairs {
            #expect(WordBPE.encode(word, subwords: subwords) == tokens.strings, "\(word)")
        }
        let decode = example["decode"]!
        #expect(WordBPE.decode(decode["tokens"]!.strings) == decode["words"]!.strings)
    }

    @Test func compressExample() {
        let example = section["compress_example"]!
        let text = example["text"]!.string!
        let word = WordBPE.Word(symbols: text.map { String($0) }, count: 1)
        let (merges, final) = WordBPE.learn([word])
        #expect(merges == Self.merges(example["merges"]!))
        #expect(final[0].symbols == example["final"]!.strings)
    }

    /// By hand: in "a a a" the pair (a, a) occurs twice; it merges left to right to "aa a", whose only pair
    /// then occurs once, so learning stops. A pair seen once is never merged.
    @Test func overlappingPairsMergeLeftToRight() {
        let (merges, final) = WordBPE.learn([WordBPE.Word(symbols: ["a", "a", "a"], count: 1)])
        #expect(merges == [WordBPE.Merge("a", "a", count: 2)])
        #expect(final[0].symbols == ["aa", "a"])
        #expect(WordBPE.learn(WordBPE.characterSymbols([("ab", 1)])).merges.isEmpty)
    }
}
