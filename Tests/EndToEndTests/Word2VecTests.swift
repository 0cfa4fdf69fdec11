// Word2Vec (issue 14): d2l's skip-gram with negative sampling on the book's words. The loss against a hand
// computation, a float64 gradcheck, and trained vectors placing often co-occurring words closer than random pairs.
import Foundation
import Testing
import EmberKit
import _EmberTestSupport

@Suite("Word2Vec", .serialized)
struct Word2VecTests {
    /// -log σ(x), computed by hand.
    func nls(_ x: Double) -> Double { -Foundation.log(1 / (1 + Foundation.exp(-x))) }

    @Test func maskedLossMatchesAHandComputation() {
        // d2l's example: logits [1.1, -2.2, 3.3, -4.4] twice; row 1 label [1, 0, 0, 0], all four real;
        // row 2 label [0, 1, 0, 0], two real. BCE is -log σ(x) for a positive, -log σ(-x) for a negative.
        let pred = Tensor([1.1, -2.2, 3.3, -4.4, 1.1, -2.2, 3.3, -4.4] as [Float], shape: [2, 4])
        let label = Tensor([1, 0, 0, 0, 0, 1, 0, 0] as [Float], shape: [2, 4])
        let mask = Tensor([1, 1, 1, 1, 1, 1, 0, 0] as [Float], shape: [2, 4])
        let got = Word2Vec.loss(pred, label, mask).scalars
        let expected = [(nls(1.1) + nls(2.2) + nls(-3.3) + nls(4.4)) / 4, (nls(-1.1) + nls(-2.2)) / 2]
        #expect(got.count == 2)
        for (g, e) in zip(got, expected) { #expect(abs(g - e) < 1e-5, "\(got) vs \(expected)") }
        // ≈ d2l's printed tensor([0.9352, 1.8462]).
        #expect(abs(expected[0] - 0.9352) < 1e-4 && abs(expected[1] - 1.8462) < 1e-4)
    }

    @Test func skipGramLossGradchecks() {
        let batch = SkipGramBatch([(1, [2, 3], [4, 0, 4, 1]), (3, [1], [2, 4])])
        let v = Tensor.randn([5, 3], dtype: .float64, generator: Generator(seed: 1))
        let u = Tensor.randn([5, 3], dtype: .float64, generator: Generator(seed: 2))
        let failure = gradcheck([v, u]) { t in
            let pred = Word2Vec.skipGram(batch.centers, batch.contextsNegatives, v: t[0], u: t[1])
            return Word2Vec.loss(pred.reshape(batch.labels.shape), batch.labels.to(.float64), batch.masks.to(.float64))
        }
        #expect(failure == nil, "\(failure ?? "")")
        // The logits are dot products of the tables' rows: center 1 · word 3, by hand.
        let pred = Word2Vec.skipGram(batch.centers, batch.contextsNegatives, v: v, u: u)
        let (vr, ur) = (v.scalars, u.scalars)
        let dot = (0..<3).map { vr[3 + $0] * ur[9 + $0] }.reduce(0, +)
        #expect(pred.shape == [2, 1, 6] && abs(pred.scalars[1] - dot) < 1e-12)
    }

    /// How often `a` and `b` fall within `window` words of each other in the same line.
    func cooccurrences(_ lines: [[String]], _ a: String, _ b: String, window: Int = 5) -> Int {
        var n = 0
        for line in lines {
            for i in line.indices where line[i] == a {
                for j in Swift.max(0, i - window)..<Swift.min(line.count, i + window + 1) where j != i && line[j] == b { n += 1 }
            }
        }
        return n
    }

    func cosine(_ x: [Float], _ y: [Float]) -> Double {
        let d = zip(x, y).map { Double($0) * Double($1) }.reduce(0, +)
        let nx = x.map { Double($0) * Double($0) }.reduce(0, +), ny = y.map { Double($0) * Double($0) }.reduce(0, +)
        return d / (nx * ny).squareRoot()
    }

    @Test func trainedVectorsPlaceRelatedWordsCloser() throws {
        let lines = tokenize(try readTimeMachine(), .word)
        let vocab = Vocab(lines, minFrequency: 5)
        let related = [("time", "traveller"), ("medical", "man"), ("white", "sphinx"), ("each", "other"),
                       ("sat", "down"), ("must", "have"), ("don", "t"), ("might", "be")]
        for (a, b) in related {
            #expect(vocab[a] != vocab.unk && vocab[b] != vocab.unk)
            #expect(cooccurrences(lines, a, b) >= 8, "\(a)/\(b) co-occur \(cooccurrences(lines, a, b)) times")
        }
        let model = withGenerator(Generator(seed: 0)) { () -> Word2Vec in
            // The book is small (~33k words): a higher learning rate than d2l's 0.002 and smaller vectors.
            let m = Word2Vec(vocab: vocab, embeddingSize: 50)
            let losses = m.train(corpus: lines, epochs: 8, lr: 0.02, batchSize: 256)
            // The first epoch starts near log 2 (logits ≈ 0) and training lowers it.
            #expect(losses.count == 8 && losses.first! < 0.7 && losses.last! < losses.first! - 0.1, "\(losses)")
            return m
        }
        let relatedMean = related.map { cosine(model.vector(for: $0.0)!, model.vector(for: $0.1)!) }.reduce(0, +) / Double(related.count)
        // 400 random pairs of distinct words (excluding <unk>), drawn from an independent generator.
        let picks = Tensor.randint(low: 1, high: vocab.count, shape: [400, 2], generator: Generator(seed: 99)).toArray(as: Int64.self)
        var randomCos: [Double] = []
        for p in stride(from: 0, to: picks.count, by: 2) where picks[p] != picks[p + 1] {
            randomCos.append(cosine(model.vector(for: vocab.toTokens(Int(picks[p])))!, model.vector(for: vocab.toTokens(Int(picks[p + 1])))!))
        }
        let randomMean = randomCos.reduce(0, +) / Double(randomCos.count)
        #expect(relatedMean > randomMean + 0.1, "related \(relatedMean) vs random \(randomMean)")

        // similarWords: k words, not the query, most similar first, each with its cosine (checked independently).
        let similar = model.similarWords("time", k: 5)
        #expect(similar.count == 5)
        #expect(!similar.contains { $0.0 == "time" || $0.0 == "<unk>" })
        #expect(zip(similar, similar.dropFirst()).allSatisfy { $0.1 >= $1.1 })
        let query = model.vector(for: "time")!
        for (word, c) in similar { #expect(abs(c - cosine(query, model.vector(for: word)!)) < 1e-6) }
        // Nothing outside the top k is more similar than its last entry.
        let others = vocab.idxToToken.dropFirst().filter { w in w != "time" && !similar.contains { $0.0 == w } }
        #expect(others.allSatisfy { cosine(query, model.vector(for: $0)!) <= similar.last!.1 + 1e-6 })
        #expect(model.similarWords("notaword", k: 3).isEmpty && model.vector(for: "notaword") == nil)
    }

    @Test func aSeedReproducesARun() throws {
        let lines = Array(tokenize(try readTimeMachine(), .word).prefix(400))
        let vocab = Vocab(lines, minFrequency: 3)
        func run() -> [Float] {
            withGenerator(Generator(seed: 5)) {
                let m = Word2Vec(vocab: vocab, embeddingSize: 8)
                m.train(corpus: lines, epochs: 1, batchSize: 64)
                return m.embedV.weight.detach().toArray(as: Float.self) + m.embedU.weight.detach().toArray(as: Float.self)
            }
        }
        #expect(run() == run())
    }
}
