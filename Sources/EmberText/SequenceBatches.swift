// SequenceBatches: d2l's random and sequential minibatch iterators over a token corpus, and SeqDataLoader.
import Ember

/// One minibatch of a language model: inputs `X` and targets `Y` (the inputs shifted by one token), both
/// int64 tensors of shape `[batchSize, numSteps]`.
public typealias SequenceBatch = (X: Tensor, Y: Tensor)

/// Minibatches of subsequences taken at random places, as d2l's `seq_data_iter_random`.
///
/// The corpus is cut after a random offset in `0..<numSteps` into `numSteps`-long subsequences, which are
/// shuffled; each batch takes `batchSize` of them, so neighbouring batches are not contiguous in the text.
/// Differs from d2l in where the randomness comes from: d2l calls Python's `random.randint` and
/// `random.shuffle`; here the offset is `Tensor.randint` and the order `Tensor.randperm` from Ember's
/// generator (`manualSeed`), so the batches are reproducible but not d2l's for the same seed. Pass
/// `offset` to fix the first draw.
///
/// **Shape:** each batch is `(X: [batchSize, numSteps], Y: [batchSize, numSteps])`, int64.
///
/// ```swift
/// manualSeed(0)
/// for (X, Y) in seqDataIterRandom(Array(0..<35), batchSize: 2, numSteps: 5) { print(X, Y) }
/// ```
/// - Parameters:
///   - corpus: token indices.
///   - batchSize: subsequences per batch (> 0).
///   - numSteps: tokens per subsequence (> 0).
///   - offset: the starting offset in `0..<numSteps`; drawn from the generator when nil.
///   - generator: the generator to draw from (default: the global one).
/// - Returns: every full batch, in order.
public func seqDataIterRandom(_ corpus: [Int], batchSize: Int, numSteps: Int, offset: Int? = nil,
                              generator: Generator? = nil) -> [SequenceBatch] {
    checkBatchArguments("seqDataIterRandom", batchSize: batchSize, numSteps: numSteps)
    let start = offset ?? Int(Tensor.randint(low: 0, high: numSteps, shape: [1], generator: generator).toArray(as: Int64.self)[0])
    emberCheck(start >= 0 && start < numSteps, "seqDataIterRandom", "offset \(start) is not in 0..<\(numSteps)")
    let tokens = corpus.count > start ? Array(corpus[start...]) : []
    let numSubseqs = max(0, (tokens.count - 1) / numSteps)
    let order = Tensor.randperm(numSubseqs, generator: generator).toArray(as: Int64.self)
    let numBatches = numSubseqs / batchSize
    var batches: [SequenceBatch] = []
    batches.reserveCapacity(numBatches)
    for b in 0..<numBatches {
        var x = [Int64](), y = [Int64]()
        x.reserveCapacity(batchSize * numSteps); y.reserveCapacity(batchSize * numSteps)
        for row in 0..<batchSize {
            let pos = Int(order[b * batchSize + row]) * numSteps
            for t in 0..<numSteps {
                x.append(Int64(tokens[pos + t]))
                y.append(Int64(tokens[pos + t + 1]))
            }
        }
        batches.append((Tensor(x, shape: [batchSize, numSteps]), Tensor(y, shape: [batchSize, numSteps])))
    }
    return batches
}

/// Minibatches whose rows continue each other from one batch to the next, as d2l's
/// `seq_data_iter_sequential`.
///
/// After a random offset in `0...numSteps` (d2l's `random.randint(0, num_steps)`, both ends included), the
/// corpus is cut to a multiple of `batchSize`, laid out as `batchSize` rows, and read `numSteps` columns at a
/// time; row `i` of one batch continues row `i` of the previous one, so a recurrent state can be carried over.
/// The offset comes from Ember's generator (`Tensor.randint`), not Python's `random`; pass `offset` to fix it.
///
/// **Shape:** each batch is `(X: [batchSize, numSteps], Y: [batchSize, numSteps])`, int64.
///
/// ```swift
/// let (corpus, _) = try loadCorpusTimeMachine()
/// for (X, Y) in seqDataIterSequential(corpus, batchSize: 32, numSteps: 35) { ... }
/// ```
/// - Parameters: as `seqDataIterRandom`, with `offset` in `0...numSteps`.
/// - Returns: every full batch, in order.
public func seqDataIterSequential(_ corpus: [Int], batchSize: Int, numSteps: Int, offset: Int? = nil,
                                  generator: Generator? = nil) -> [SequenceBatch] {
    checkBatchArguments("seqDataIterSequential", batchSize: batchSize, numSteps: numSteps)
    let start = offset ?? sequentialOffset(numSteps: numSteps, generator: generator)
    emberCheck(start >= 0 && start <= numSteps, "seqDataIterSequential", "offset \(start) is not in 0...\(numSteps)")
    let numTokens = max(0, (corpus.count - start - 1) / batchSize * batchSize)
    let rowLength = numTokens / batchSize
    let numBatches = rowLength / numSteps
    var batches: [SequenceBatch] = []
    batches.reserveCapacity(numBatches)
    for b in 0..<numBatches {
        var x = [Int64](), y = [Int64]()
        x.reserveCapacity(batchSize * numSteps); y.reserveCapacity(batchSize * numSteps)
        for row in 0..<batchSize {
            let base = start + row * rowLength + b * numSteps
            for t in 0..<numSteps {
                x.append(Int64(corpus[base + t]))
                y.append(Int64(corpus[base + t + 1]))
            }
        }
        batches.append((Tensor(x, shape: [batchSize, numSteps]), Tensor(y, shape: [batchSize, numSteps])))
    }
    return batches
}

/// The offset `seqDataIterSequential` starts at when none is given: one draw of `Tensor.randint(0, numSteps + 1)`
/// (d2l's `random.randint(0, num_steps)`, both ends included) from `generator` (nil: the current one). PyTorch's
/// `torch.randint(0, num_steps + 1, (1,), generator=g)` draws the same value from a generator seeded alike.
///
/// - Parameters:
///   - numSteps: Tokens per subsequence (> 0).
///   - generator: The generator to draw from (nil: the current one).
public func sequentialOffset(numSteps: Int, generator: Generator? = nil) -> Int {
    Int(Tensor.randint(low: 0, high: numSteps + 1, shape: [1], generator: generator).toArray(as: Int64.self)[0])
}

func checkBatchArguments(_ op: String, batchSize: Int, numSteps: Int) {
    emberCheck(batchSize > 0, op, "batchSize should be a positive integer, got \(batchSize)")
    emberCheck(numSteps > 0, op, "numSteps should be a positive integer, got \(numSteps)")
}

/// A re-iterable loader of language-model minibatches, as d2l's `SeqDataLoader`: each pass draws a new
/// offset (and, for the random iterator, a new order) from the generator.
///
/// ```swift
/// let (trainIter, vocab) = try loadDataTimeMachine(batchSize: 32, numSteps: 35)
/// for epoch in 0..<500 { for (X, Y) in trainIter { ... } }
/// ```
public struct SeqDataLoader: Sequence {
    /// The token indices batches are cut from.
    public let corpus: [Int]
    /// Subsequences per batch.
    public let batchSize: Int
    /// Tokens per subsequence.
    public let numSteps: Int
    /// Random subsequences (`seqDataIterRandom`) instead of sequential partitioning.
    public let useRandomIter: Bool
    /// The generator each pass draws from (nil: the global one at iteration time).
    public let generator: Generator?

    /// A loader over `corpus`; stops with a message for a non-positive `batchSize` or `numSteps`.
    ///
    /// - Parameters:
    ///   - corpus: The token ids of the whole text.
    ///   - batchSize: The number of subsequences per batch.
    ///   - numSteps: The length of each subsequence.
    ///   - useRandomIter: Random sampling (`seqDataIterRandom`) instead of sequential partitioning.
    ///   - generator: The random generator for the offsets and order (nil: the default generator).
    public init(corpus: [Int], batchSize: Int, numSteps: Int, useRandomIter: Bool = false, generator: Generator? = nil) {
        checkBatchArguments("SeqDataLoader", batchSize: batchSize, numSteps: numSteps)
        self.corpus = corpus; self.batchSize = batchSize; self.numSteps = numSteps
        self.useRandomIter = useRandomIter; self.generator = generator
    }

    /// The batches of one pass, drawn anew.
    public func makeIterator() -> IndexingIterator<[SequenceBatch]> {
        (useRandomIter
            ? seqDataIterRandom(corpus, batchSize: batchSize, numSteps: numSteps, generator: generator)
            : seqDataIterSequential(corpus, batchSize: batchSize, numSteps: numSteps, generator: generator)).makeIterator()
    }
}

/// The book's character batches and vocabulary, as d2l's
/// `load_data_time_machine(batch_size, num_steps, use_random_iter=False, max_tokens=10000)`.
/// - Throws: as `readTimeMachine`.
///
/// - Parameters:
///   - batchSize: The number of subsequences per batch.
///   - numSteps: The length of each subsequence.
///   - useRandomIter: Random sampling (`seqDataIterRandom`) instead of sequential partitioning.
///   - maxTokens: Keep only the first this many tokens of the corpus (−1: all).
///   - path: The book's text file (nil: the copy in `Data/timemachine/`).
public func loadDataTimeMachine(batchSize: Int, numSteps: Int, useRandomIter: Bool = false, maxTokens: Int = 10000,
                                path: String? = nil) throws -> (loader: SeqDataLoader, vocab: Vocab) {
    let (corpus, vocab) = try loadCorpusTimeMachine(maxTokens: maxTokens, path: path)
    return (SeqDataLoader(corpus: corpus, batchSize: batchSize, numSteps: numSteps, useRandomIter: useRandomIter), vocab)
}
