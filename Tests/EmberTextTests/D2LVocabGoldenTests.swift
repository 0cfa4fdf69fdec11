// D2LVocabGoldenTests: the book read, cleaned, tokenized and indexed as d2l does (text.json `d2l_vocab`).
import Testing
import EmberText

@Suite struct D2LVocabGoldenTests {
    let section = textGolden["d2l_vocab"]!

    @Test func everyKeyIsKnown() {
        let known: Set = ["rule", "idx_to_token", "token_freqs", "corpus_len", "corpus_first_200"]
        for key in section.keys { #expect(known.contains(key), "unknown d2l_vocab case \(key)") }
    }

    @Test func vocabularyOrderAndFrequencies() throws {
        let vocab = Vocab(tokenize(try readTimeMachine(), .char))
        #expect(vocab.idxToToken == section["idx_to_token"]!.strings)
        let expected = section["token_freqs"]!.array.map { ($0.array[0].string!, $0.array[1].int!) }
        #expect(vocab.tokenFreqs.map(\.token) == expected.map(\.0))
        #expect(vocab.tokenFreqs.map(\.count) == expected.map(\.1))
    }

    @Test func corpusIndices() throws {
        let (corpus, vocab) = try loadCorpusTimeMachine()
        #expect(corpus.count == section["corpus_len"]!.int!)
        #expect(Array(corpus.prefix(200)) == section["corpus_first_200"]!.ints)
        #expect(vocab.count == section["idx_to_token"]!.array.count)
        let (short, _) = try loadCorpusTimeMachine(maxTokens: 200)
        #expect(short == section["corpus_first_200"]!.ints)
    }

    /// d2l's printed output: "# text lines: 3221", then lines 0 and 10.
    @Test func cleanedLinesMatchTheBook() throws {
        let lines = try readTimeMachine()
        #expect(lines.count == 3221)
        #expect(lines[0] == "the time machine by h g wells")
        #expect(lines[10] == "twinkled and his usually pale face was flushed and animated the")
    }

    @Test func explicitPathAndMissingFile() throws {
        let path = try timeMachinePath()
        #expect(try readTimeMachine(path: path).count == 3221)
        #expect(throws: TextError.self) { try readTimeMachine(path: "/nonexistent/timemachine.txt") }
    }
}
