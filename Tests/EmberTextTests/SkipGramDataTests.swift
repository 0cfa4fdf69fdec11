// The skip-gram dataset (d2l §15.3): subsampling, windows, negative sampling and padded batches, checked by hand.
import Testing
import Ember
import EmberText

@Suite struct SkipGramDataTests {
    @Test func subsamplingKeepsRareWordsAndThinsFrequentOnes() {
        // 20,000 × "the" and one "rare" in 20,001 tokens: keep("rare") = sqrt(1e-4 · 20001 / 1) ≈ 1.41 ≥ 1 (always),
        // keep("the") = sqrt(1e-4 · 20001 / 20000) ≈ 0.0100, so ~200 of 20,000 survive (binomial sd ≈ 14).
        // "ghost" is not in the vocabulary: it maps to <unk> and is dropped before counting.
        let vocab = Vocab(["the", "rare"])
        let sentences = [Array(repeating: "the", count: 10_000) + ["rare", "ghost"], Array(repeating: "the", count: 10_000)]
        for seed: UInt64 in 0..<5 {
            let (kept, counter) = withGenerator(Generator(seed: seed)) { subsample(sentences, vocab: vocab) }
            #expect(counter == ["the": 20_000, "rare": 1])
            let all = kept.flatMap { $0 }
            #expect(all.filter { $0 == "rare" }.count == 1)
            #expect(!all.contains("ghost"))
            let thes = all.filter { $0 == "the" }.count
            #expect(thes > 120 && thes < 280, "kept \(thes) of 20,000 'the' (expected ~200)")
        }
        // A large threshold keeps everything, in order.
        let (all, _) = subsample([["the", "rare", "the"]], vocab: vocab, threshold: 1)
        #expect(all == [["the", "rare", "the"]])
    }

    @Test func subsamplingIsReproducibleForASeed() {
        let vocab = Vocab(["a", "b", "c"])
        let lines = (0..<50).map { i in ["a", "a", "b", i % 3 == 0 ? "c" : "a"] }
        let one = withGenerator(Generator(seed: 7)) { subsample(lines, vocab: vocab, threshold: 0.05).sentences }
        let two = withGenerator(Generator(seed: 7)) { subsample(lines, vocab: vocab, threshold: 0.05).sentences }
        #expect(one == two)
    }

    @Test func windowWithMaxOneIsTheNeighbours() {
        let (centers, contexts) = centersAndContexts([[1, 2, 3], [9], [4, 5]], maxWindowSize: 1)
        #expect(centers == [1, 2, 3, 4, 5])          // the one-token line gives no center
        #expect(contexts == [[2], [1, 3], [2], [5], [4]])
    }

    @Test func contextsAreContiguousWindowsWithinBounds() {
        // Distinct ids per position, so each context word names its position.
        var next = 0
        let corpus = (0..<40).map { i in (0..<(i % 13)).map { _ -> Int in next += 1; return next } }
        let maxWindow = 4
        let (centers, contexts) = withGenerator(Generator(seed: 1)) { centersAndContexts(corpus, maxWindowSize: maxWindow) }
        let lines = corpus.filter { $0.count >= 2 }
        #expect(centers == lines.flatMap { $0 })
        var k = 0
        for line in lines {
            for i in line.indices {
                let context = contexts[k]; k += 1
                #expect(!context.contains(line[i]))
                // Some window size w in 1...maxWindow gives exactly this context.
                let fits = (1...maxWindow).contains { w in
                    let expected = (Swift.max(0, i - w)..<Swift.min(line.count, i + w + 1)).filter { $0 != i }.map { line[$0] }
                    return expected == context
                }
                #expect(fits, "context \(context) of position \(i) in \(line)")
            }
        }
    }

    @Test func negativeSamplerFollowsItsWeights() {
        // Weights [8, 1]: index 1 with probability 8/9, index 2 with 1/9, never 0. 9,000 draws: mean 8,000, sd ≈ 30.
        var sampler = withGenerator(Generator(seed: 0)) { NegativeSampler(weights: [8, 1]) }
        let draws = withGenerator(Generator(seed: 0)) { (0..<9000).map { _ in sampler.draw() } }
        #expect(Set(draws) == [1, 2])
        let ones = draws.filter { $0 == 1 }.count
        #expect(ones > 7850 && ones < 8150, "\(ones)")
    }

    @Test func negativesAreNeverContextWords() {
        let tokens = ["a", "a", "a", "a", "b", "b", "c", "d"]
        let vocab = Vocab(tokens)
        let counter = ["a": 4, "b": 2, "c": 1, "d": 1]
        let contexts = [[vocab["a"]], [vocab["a"], vocab["b"]], [vocab["b"], vocab["c"], vocab["d"]], [vocab["c"]]]
        let noise = withGenerator(Generator(seed: 3)) { negatives(contexts, vocab: vocab, counter: counter, numNoiseWords: 5) }
        for (context, n) in zip(contexts, noise) {
            #expect(n.count == 5 * context.count)
            #expect(n.allSatisfy { !context.contains($0) && $0 != vocab.unk && $0 < vocab.count })
        }
        // The third context leaves only "a" to draw.
        #expect(noise[2] == Array(repeating: vocab["a"], count: 15))
    }

    @Test func batchPadsAndMasksAsD2L() {
        // d2l's batchify example.
        let batch = SkipGramBatch([(1, [2, 2], [3, 3, 3, 3]), (1, [2, 2, 2], [3, 3])])
        #expect(batch.centers.shape == [2, 1] && batch.centers.toArray(as: Int64.self) == [1, 1])
        #expect(batch.contextsNegatives.toArray(as: Int64.self) == [2, 2, 3, 3, 3, 3, 2, 2, 2, 3, 3, 0])
        #expect(batch.masks.toArray(as: Float.self) == [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0])
        #expect(batch.labels.toArray(as: Float.self) == [1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0])
        #expect(batch.masks.shape == [2, 6])
    }
}
