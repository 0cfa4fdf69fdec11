// Word2Vec: d2l's skip-gram with negative sampling (§15.4 "Pretraining word2vec"), over EmberText's
// skip-gram dataset (`subsample`, `centersAndContexts`, `negatives`, `SkipGramBatch`).
import Foundation
import Ember
import EmberNN
import EmberOptim
import EmberText

/// Skip-gram word vectors trained with negative sampling, as d2l's "Pretraining word2vec".
///
/// Two tables: `embedV` (center words, d2l's `net[0]`, the vectors `vector(for:)` and `similarWords` read) and
/// `embedU` (context and noise words, `net[1]`), both Xavier-uniform initialised as d2l's `init_weights`.
/// Training follows d2l: subsample with `sqrt(1e-4 / f)`, center/context pairs within a random window up to
/// `maxWindowSize`, `numNoiseWords` noise words per context word from unigram^0.75, padded batches, the masked
/// sigmoid binary cross-entropy averaged over each example's real entries, Adam.
///
/// Differences from d2l: the dataset (subsampling, windows, noise words) is drawn afresh every epoch, where d2l
/// draws it once (on a book-sized corpus one fixed draw is memorised within a few epochs); every random draw
/// (initialisation, subsampling, windows, noise words, batch order) comes from Ember's current generator
/// (`manualSeed` / `withGenerator`), not Python's `random`, so a seed reproduces a run but not d2l's draws;
/// batches are shuffled with `Tensor.randperm` instead of a DataLoader; `similarWords` leaves out the query and
/// `<unk>` (d2l drops the top hit, which is the query unless another vector is parallel to it; `<unk>` is
/// never trained). On *The Time Machine* (~33k words) `lr: 0.02` for ~8 epochs works better than d2l's PTB
/// setting (`lr: 0.002`, 5 epochs).
///
/// ```swift
/// let lines = tokenize(try readTimeMachine(), .word)
/// let vocab = Vocab(lines, minFrequency: 5)
/// let w2v = Word2Vec(vocab: vocab, embeddingSize: 100)
/// w2v.train(corpus: lines, epochs: 8, lr: 0.02, batchSize: 256)
/// w2v.similarWords("time", k: 3)   // [(word, cosine)], most similar first
/// ```
public final class Word2Vec: Module {
    public let vocab: Vocab
    public let embedV: Embedding
    public let embedU: Embedding

    /// Two `vocab.count × embeddingSize` tables, Xavier-uniform from the current generator (`embedV` first).
    public init(vocab: Vocab, embeddingSize: Int = 100) {
        self.vocab = vocab
        embedV = Embedding(vocab.count, embeddingSize)
        embedU = Embedding(vocab.count, embeddingSize)
        super.init()
        noGrad {
            _ = Init.xavierUniform_(embedV.weight)
            _ = Init.xavierUniform_(embedU.weight)
        }
    }

    /// d2l's `skip_gram`: `embed_v(center) · embed_u(contexts_and_negatives)ᵀ`, centers `[B, 1]` and words `[B, L]`
    /// → logits `[B, 1, L]`. `v`/`u` are the two tables (any float dtype, so the loss can be gradchecked).
    public static func skipGram(_ center: Tensor, _ contextsAndNegatives: Tensor, v: Tensor, u: Tensor) -> Tensor {
        F.embedding(center, v).bmm(F.embedding(contextsAndNegatives, u).permute(0, 2, 1))
    }

    /// d2l's masked sigmoid binary cross-entropy: per example, `Σ mask·BCE(pred, label) / Σ mask` (d2l's
    /// `loss(pred, label, mask) / mask.sum(axis=1) * mask.shape[1]`). Shapes `[B, L]` → `[B]`.
    public static func loss(_ pred: Tensor, _ label: Tensor, _ mask: Tensor) -> Tensor {
        let l = F.binaryCrossEntropyWithLogits(pred, label, weight: mask, reduction: .none).mean(dim: 1)
        return l / mask.sum(dim: 1) * Double(mask.shape[1])
    }

    /// The loss of one batch with the model's tables: `[B]`.
    public func loss(_ batch: SkipGramBatch) -> Tensor {
        let pred = Word2Vec.skipGram(batch.centers, batch.contextsNegatives, v: embedV.weight, u: embedU.weight)
        return Word2Vec.loss(pred.reshape(batch.labels.shape), batch.labels, batch.masks)
    }

    /// Trains for `epochs` with Adam (`lr`, d2l's 0.002 by default), each epoch on a fresh draw of d2l's skip-gram
    /// dataset from `corpus` (tokenized sentences, e.g. `tokenize(readTimeMachine())`; `<unk>` words are dropped),
    /// in shuffled batches of `batchSize` centers. Calling it again continues with new Adam state.
    /// - Returns: the mean per-example loss of each epoch (d2l's `metric[0] / metric[1]`).
    @discardableResult
    public func train(corpus: [[String]], maxWindowSize: Int = 5, numNoiseWords: Int = 5,
                      epochs: Int = 5, lr: Double = 0.002, batchSize: Int = 512) -> [Double] {
        emberCheck(epochs >= 0 && batchSize >= 1, "Word2Vec.train", "epochs must be ≥ 0 and batchSize ≥ 1, got \(epochs), \(batchSize)")
        let optimizer = Adam(parameters(), lr: lr)
        var history: [Double] = []
        for _ in 0..<epochs {
            // A fresh draw of the dataset every epoch (d2l draws it once); see the type's documentation.
            let (kept, counter) = subsample(corpus, vocab: vocab)
            let (centers, contexts) = centersAndContexts(kept.map { vocab[$0] }, maxWindowSize: maxWindowSize)
            let noise = negatives(contexts, vocab: vocab, counter: counter, numNoiseWords: numNoiseWords)
            guard !centers.isEmpty else { history.append(.nan); continue }
            let order = Tensor.randperm(centers.count).toArray(as: Int64.self).map { Int($0) }
            var total = 0.0
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let picked = order[start..<Swift.min(start + batchSize, order.count)]
                let batch = SkipGramBatch(picked.map { (centers[$0], contexts[$0], noise[$0]) })
                optimizer.zeroGrad()
                let l = loss(batch)
                l.sum().backward()
                optimizer.step()
                total += l.detach().sum().item()
            }
            history.append(total / Double(centers.count))
        }
        return history
    }

    /// The trained center vector of `word` (a row of `embedV`), or nil when the word is not in the vocabulary.
    public func vector(for word: String) -> [Float]? {
        guard let i = vocab.tokenToIdx[word], i != vocab.unk else { return nil }
        return noGrad { embedV.weight.select(0, i).contiguous().toArray(as: Float.self) }
    }

    /// The `k` words whose center vectors have the largest cosine similarity with `word`'s (d2l's
    /// `get_similar_tokens`: `W·x / sqrt(|W|²·|x|² + 1e-9)`), most similar first, without `word` and `<unk>`.
    /// Empty when `word` is not in the vocabulary.
    public func similarWords(_ word: String, k: Int) -> [(String, Double)] {
        guard let q = vocab.tokenToIdx[word], q != vocab.unk, k > 0 else { return [] }
        let cos: [Double] = noGrad {
            let w = embedV.weight.detach().to(.float64)
            let x = w.select(0, q)
            return (w.mv(x) / ((w * w).sum(dim: 1) * (x * x).sum() + 1e-9).sqrt()).scalars
        }
        let ranked = cos.indices.filter { $0 != q && $0 != vocab.unk }
            .sorted { cos[$0] != cos[$1] ? cos[$0] > cos[$1] : $0 < $1 }
        return ranked.prefix(k).map { (vocab.toTokens($0), cos[$0]) }
    }
}
