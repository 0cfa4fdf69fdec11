// SequenceBatchTests: d2l's random and sequential minibatch iterators, and tokenize/Vocab by hand.
import Testing
import Ember
import EmberText
import _EmberTestSupport

@Suite struct SequenceBatchTests {
    /// text.json `trajectories[].batches` are d2l's sequential batches of the book with offset 0: the rows start
    /// at 0, 80, 160, 240, so the corpus was cut to 4 × 80 + 1 tokens (8 batches of 10 steps).
    @Test func sequentialBatchesMatchTheTrajectoriesBatches() throws {
        let (corpus, _) = try loadCorpusTimeMachine()
        for trajectory in textGolden["trajectories"]!.array {
            let batches = trajectory["batches"]!.array
            let shape = batches[0]["X"]!["shape"]!.ints
            let (rows, steps) = (shape[0], shape[1])
            let cut = Array(corpus.prefix(rows * steps * batches.count + 1))
            let ours = seqDataIterSequential(cut, batchSize: rows, numSteps: steps, offset: 0)
            #expect(ours.count == batches.count)
            for (b, batch) in zip(ours, batches) {
                #expect(b.X.shape == shape && b.Y.shape == shape)
                #expect(b.X.toArray(as: Int64.self).map(Int.init) == batch["X"]!["data"]!.ints)
                #expect(b.Y.toArray(as: Int64.self).map(Int.init) == batch["Y"]!["data"]!.ints)
            }
        }
    }

    /// d2l's example corpus 0..<35 with batch 2 and 5 steps, offset 0, by hand: rows of 17 tokens
    /// (0...16 and 17...33), 3 batches.
    @Test func sequentialByHand() {
        let batches = seqDataIterSequential(Array(0..<35), batchSize: 2, numSteps: 5, offset: 0)
        #expect(batches.count == 3)
        #expect(batches[0].X.toArray(as: Int64.self) == [0, 1, 2, 3, 4, 17, 18, 19, 20, 21])
        #expect(batches[0].Y.toArray(as: Int64.self) == [1, 2, 3, 4, 5, 18, 19, 20, 21, 22])
        #expect(batches[2].X.toArray(as: Int64.self) == [10, 11, 12, 13, 14, 27, 28, 29, 30, 31])
    }

    /// The sequential offset is `torch.randint(0, num_steps + 1, (1,), generator=g)`: three draws for 35 steps from
    /// generators seeded 0, 1, 42 and 2^40 + 7, printed by PyTorch 2.13.
    @Test func sequentialOffsetsAreTorchRandint() {
        let expected: [(UInt64, [Int])] = [(0, [8, 27, 29]), (1, [13, 23, 0]), (42, [6, 23, 16]), ((1 << 40) + 7, [27, 4, 25])]
        for (seed, offsets) in expected {
            let g = Generator(seed: seed)
            #expect((0..<3).map { _ in sequentialOffset(numSteps: 35, generator: g) } == offsets, "seed \(seed)")
        }
        // The iterator draws the same offset: its first row starts there.
        let batches = seqDataIterSequential(Array(0..<400), batchSize: 2, numSteps: 35, generator: Generator(seed: 0))
        #expect(batches[0].X.toArray(as: Int64.self)[0] == 8)
    }

    /// Random subsequences: each row is a contiguous slice starting at offset + k·numSteps, every start used at
    /// most once, Y is X shifted by one; same seed, same batches.
    @Test func randomSubsequences() {
        let corpus = Array(0..<35)
        let first = withGenerator(Generator(seed: 0)) { seqDataIterRandom(corpus, batchSize: 2, numSteps: 5) }
        let again = withGenerator(Generator(seed: 0)) { seqDataIterRandom(corpus, batchSize: 2, numSteps: 5) }
        #expect(first.map { $0.X.toArray(as: Int64.self) } == again.map { $0.X.toArray(as: Int64.self) })
        var starts: [Int64] = []
        for (X, Y) in first {
            let x = X.toArray(as: Int64.self), y = Y.toArray(as: Int64.self)
            for row in 0..<2 {
                let r = Array(x[(row * 5)..<(row * 5 + 5)])
                #expect(r == Array(r[0]..<(r[0] + 5)))
                #expect(Array(y[(row * 5)..<(row * 5 + 5)]) == r.map { $0 + 1 })
                starts.append(r[0])
            }
        }
        #expect(Set(starts).count == starts.count)
        #expect(Set(starts.map { $0 % 5 }).count == 1)
        // offset 0: (35 - 1) / 5 = 6 subsequences, 3 batches; offset 4: (31 - 1) / 5 = 6, 3 batches.
        #expect(seqDataIterRandom(corpus, batchSize: 2, numSteps: 5, offset: 0).count == 3)
        #expect(seqDataIterRandom(corpus, batchSize: 4, numSteps: 5, offset: 4).count == 1)
    }

    @Test func loaderRedrawsEachPass() throws {
        let (loader, vocab) = try loadDataTimeMachine(batchSize: 4, numSteps: 8, useRandomIter: true, maxTokens: 400)
        #expect(vocab.count == 28)
        manualSeed(1)
        let a = loader.map { $0.X.toArray(as: Int64.self) }
        let b = loader.map { $0.X.toArray(as: Int64.self) }
        #expect(!a.isEmpty && a != b)
    }

    /// By hand: counts b 2, a 2, c 1, d 1 (first seen in that order); ties keep first appearance.
    @Test func vocabMinFrequencyAndReservedTokens() {
        let vocab = Vocab(["b", "a", "b", "c", "a", "d"], minFrequency: 2, reservedTokens: ["<pad>"])
        #expect(vocab.idxToToken == ["<unk>", "<pad>", "b", "a"])
        #expect(vocab["c"] == 0 && vocab["a"] == 3)
        #expect(vocab[["b", "zz"]] == [2, 0])
        #expect(vocab.toTokens([1, 2]) == ["<pad>", "b"])
        #expect(vocab.tokenFreqs.map(\.token) == ["b", "a", "c", "d"])
    }

    @Test func tokenizeWordsAndCharacters() {
        #expect(tokenize(["the  time\tmachine ", ""]) == [["the", "time", "machine"], []])
        #expect(tokenize(["ab c"], .char) == [["a", "b", " ", "c"]])
    }
}
