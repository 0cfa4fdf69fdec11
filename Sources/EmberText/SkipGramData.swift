// The dataset for pretraining word embeddings (d2l §15.3): subsampling, center/context pairs, negative sampling,
// and the padded minibatches skip-gram with negative sampling trains on.
import Foundation
import Ember

/// d2l's `subsample`: drops `<unk>` tokens, then keeps each token with probability
/// `min(1, sqrt(threshold / f))`, where `f` is the token's share of the (unk-free) corpus.
///
/// Frequent words ("the", "of") are mostly dropped; words with `f ≤ threshold` are always kept. One uniform is
/// drawn per token, in corpus order, from Ember's current generator (`manualSeed`/`withGenerator`), not
/// Python's `random`, so a seed reproduces the draw.
/// - Returns: the kept tokens per sentence and the counts of the unk-free corpus (d2l's `counter`).
public func subsample(_ sentences: [[String]], vocab: Vocab, threshold: Double = 1e-4)
    -> (sentences: [[String]], counter: [String: Int]) {
    let known = sentences.map { line in line.filter { vocab[$0] != vocab.unk } }
    var counter: [String: Int] = [:]
    for line in known { for token in line { counter[token, default: 0] += 1 } }
    let numTokens = known.reduce(0) { $0 + $1.count }
    guard numTokens > 0 else { return (known, counter) }
    let uniforms = Tensor.rand([numTokens], dtype: .float64).scalars
    var next = 0
    let kept = known.map { line in
        line.filter { token in
            defer { next += 1 }
            return uniforms[next] < (threshold / Double(counter[token]!) * Double(numTokens)).squareRoot()
        }
    }
    return (kept, counter)
}

/// d2l's `get_centers_and_contexts`: every token of a sentence of at least two tokens is a center; its context
/// is the tokens within a window of random size `1...maxWindowSize` on each side (same sentence, center excluded).
///
/// Window sizes are drawn in one `Tensor.randint` from Ember's current generator, one per center in order.
public func centersAndContexts(_ corpus: [[Int]], maxWindowSize: Int) -> (centers: [Int], contexts: [[Int]]) {
    emberCheck(maxWindowSize >= 1, "centersAndContexts", "maxWindowSize must be at least 1, got \(maxWindowSize)")
    let lines = corpus.filter { $0.count >= 2 }
    let total = lines.reduce(0) { $0 + $1.count }
    guard total > 0 else { return ([], []) }
    let sizes = Tensor.randint(low: 1, high: maxWindowSize + 1, shape: [total]).toArray(as: Int64.self)
    var centers: [Int] = [], contexts: [[Int]] = [], next = 0
    centers.reserveCapacity(total); contexts.reserveCapacity(total)
    for line in lines {
        centers += line
        for i in line.indices {
            let w = Int(sizes[next]); next += 1
            let window = Swift.max(0, i - w)..<Swift.min(line.count, i + 1 + w)
            contexts.append(window.filter { $0 != i }.map { line[$0] })
        }
    }
    return (centers, contexts)
}

/// d2l's `RandomGenerator`: draws indices `1...weights.count` with probability proportional to `weights`
/// (index `i + 1` for `weights[i]`, so index 0, `<unk>`, is never drawn), 10,000 at a time from Ember's
/// current generator (`Tensor.multinomial` with replacement).
public struct NegativeSampler {
    public let weights: [Double]
    private var candidates: [Int] = []
    private var position = 0

    public init(weights: [Double]) {
        emberCheck(!weights.isEmpty && weights.allSatisfy { $0 >= 0 } && weights.contains { $0 > 0 }, "NegativeSampler",
                   "weights must be non-negative with a positive sum")
        self.weights = weights
    }

    /// The next sampled index, in `1...weights.count`.
    public mutating func draw() -> Int {
        if position == candidates.count {
            candidates = Tensor(weights).multinomial(10_000, replacement: true).toArray(as: Int64.self).map { Int($0) + 1 }
            position = 0
        }
        defer { position += 1 }
        return candidates[position]
    }
}

/// d2l's `get_negatives`: for each context, `contexts.count · numNoiseWords` noise words drawn from the
/// unigram distribution raised to 0.75 (`counter[token]^0.75` over the vocabulary without `<unk>`), skipping
/// draws that are in the context.
public func negatives(_ contexts: [[Int]], vocab: Vocab, counter: [String: Int], numNoiseWords: Int) -> [[Int]] {
    let weights = (1..<vocab.count).map { Foundation.pow(Double(counter[vocab.toTokens($0)] ?? 0), 0.75) }
    var sampler = NegativeSampler(weights: weights)
    return contexts.map { context in
        let members = Set(context)
        var noise: [Int] = []
        noise.reserveCapacity(context.count * numNoiseWords)
        while noise.count < context.count * numNoiseWords {
            let n = sampler.draw()
            if !members.contains(n) { noise.append(n) }
        }
        return noise
    }
}

/// A padded minibatch for skip-gram (d2l's `batchify`): `centers` `[B, 1]`, `contextsNegatives` `[B, L]`
/// (context words, then noise words, then padding 0), `masks` `[B, L]` (1 for real entries) and `labels`
/// `[B, L]` (1 for context words); `L` is the longest `context + noise` of the batch. int64 indices, float32 masks.
public struct SkipGramBatch {
    public let centers: Tensor, contextsNegatives: Tensor, masks: Tensor, labels: Tensor

    public init(_ examples: [(center: Int, context: [Int], negatives: [Int])]) {
        emberCheck(!examples.isEmpty, "SkipGramBatch", "a batch needs at least one example")
        let maxLen = examples.map { $0.context.count + $0.negatives.count }.max()!
        var cn: [Int64] = [], mask: [Float] = [], label: [Float] = []
        for (_, context, noise) in examples {
            let len = context.count + noise.count, pad = maxLen - len
            cn += (context + noise).map { Int64($0) } + Array(repeating: 0, count: pad)
            mask += Array(repeating: 1, count: len) + Array(repeating: 0, count: pad)
            label += Array(repeating: 1, count: context.count) + Array(repeating: 0, count: maxLen - context.count)
        }
        let b = examples.count
        centers = Tensor(examples.map { Int64($0.center) }, shape: [b, 1])
        contextsNegatives = Tensor(cn, shape: [b, maxLen])
        masks = Tensor(mask, shape: [b, maxLen])
        labels = Tensor(label, shape: [b, maxLen])
    }
}
