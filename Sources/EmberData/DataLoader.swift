// DataLoader: batches, shuffling and worker threads over a Dataset (`torch.utils.data.DataLoader`).
import Foundation
import Ember

/// Iterates a dataset in (optionally shuffled) mini-batches, built in parallel by worker threads.
///
/// Matches `torch.utils.data.DataLoader(dataset, batch_size, shuffle, drop_last, num_workers, generator,
/// collate_fn)`. Differences: workers are threads (Swift has no GIL), so there is no pickling and no
/// `worker_init_fn`; each batch's random draws come from a generator derived from the epoch seed and the
/// batch index, so a given seed yields the same batches whatever `numWorkers` is (in PyTorch they depend
/// on the worker count).
///
/// Each epoch (each `for` loop) draws a fresh permutation from `generator` when `shuffle` is on; with a core
/// `Generator` (or the default one, `manualSeed`) it is PyTorch's: the same seed visits the samples in the same
/// order as `DataLoader(..., shuffle=True, generator=torch.Generator().manual_seed(seed))`. With
/// `numWorkers > 0`, up to `numWorkers * prefetchFactor` batches are built ahead, and they arrive in order.
/// A sample that throws stops the loop with a message naming its index; use `Iterator.nextBatch()` to
/// catch it instead.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 256, shuffle: true, numWorkers: 2)
/// for (X, y) in loader { ... }               // X: [256, 1, 28, 28], y: [256]
/// var it = loader.makeIterator()
/// while let (X, y) = try it.nextBatch() { ... }   // errors thrown instead of stopping
/// ```
public final class DataLoader<D: Dataset, Batch>: Sequence {
    /// The dataset batches are drawn from.
    public let dataset: D
    /// Samples per batch.
    public let batchSize: Int
    /// Whether each epoch visits the samples in a fresh random order.
    public let shuffle: Bool
    /// Whether a last, smaller batch is dropped.
    public let dropLast: Bool
    /// Worker threads building batches (0: batches are built on the consuming thread).
    public let numWorkers: Int
    /// Batches each worker may build ahead of the consumer.
    public let prefetchFactor: Int
    /// The generator for shuffling and per-batch seeds (nil: the default data generator).
    public let generator: RandomSource?
    let collateFn: ([D.Sample]) throws -> Batch

    /// A loader with a custom `collate` (`collate_fn`), which turns the samples of one batch into a batch.
    ///
    /// - Parameters:
    ///   - dataset: The dataset to read samples from.
    ///   - batchSize: The number of samples per batch.
    ///   - shuffle: Draw a new permutation of the samples each epoch.
    ///   - dropLast: Drop the last batch when it would be smaller than `batchSize`.
    ///   - numWorkers: Threads that load batches ahead (0 loads on the caller's thread).
    ///   - prefetchFactor: Batches each worker keeps ready ahead of the consumer.
    ///   - generator: The random source for shuffling and per-batch seeds (nil: the default generator).
    ///   - collate: Turns a batch's samples into one batch value.
    public init(_ dataset: D, batchSize: Int = 1, shuffle: Bool = false, dropLast: Bool = false,
                numWorkers: Int = 0, prefetchFactor: Int = 2, generator: RandomSource? = nil,
                collate: @escaping ([D.Sample]) throws -> Batch) {
        emberCheck(batchSize > 0, "DataLoader", "batch_size should be a positive integer value, but got batch_size=\(batchSize)")
        emberCheck(numWorkers >= 0, "DataLoader", "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        emberCheck(prefetchFactor > 0, "DataLoader", "prefetch_factor should be a positive integer, but got \(prefetchFactor)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.numWorkers = numWorkers
        self.prefetchFactor = prefetchFactor
        self.generator = generator
        self.collateFn = collate
    }

    /// Number of batches per epoch (`len(loader)`).
    public var count: Int {
        let n = dataset.count
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize
    }

    /// Starts an epoch: draws the order and the epoch seed, and starts the workers.
    public func makeIterator() -> Iterator {
        let gen = DataRandom.resolve(generator)
        let n = dataset.count
        // PyTorch's order of draws: the iterator's base seed first, then the sampler's (see `RandomSampling`).
        let seed = gen.next()
        var order = Array(0..<n)
        var atEnd: (() -> Void)?
        if shuffle { (order, atEnd) = RandomSampling.epochOrder(count: n, source: gen, explicit: generator != nil) }
        var batches: [ArraySlice<Int>] = []
        batches.reserveCapacity(count)
        var start = 0
        while start < n {
            let end = Swift.min(start + batchSize, n)
            if end - start < batchSize && dropLast { break }
            batches.append(order[start..<end])
            start = end
        }
        let producer = BatchProducer(dataset: dataset, batches: batches, seed: seed, collate: collateFn)
        return Iterator(epoch: Epoch(producer: producer, workers: numWorkers, window: numWorkers * prefetchFactor,
                                     atEnd: atEnd))
    }

    /// One pass over the loader.
    public struct Iterator: IteratorProtocol {
        let epoch: Epoch

        /// The next batch; stops the program with the failing sample's index if loading throws.
        public mutating func next() -> Batch? {
            do { return try epoch.next() } catch { emberFail("DataLoader", "\(error)") }
        }

        /// The next batch, or nil at the end of the epoch; throws `DataError.sampleFailed(index:reason:)`
        /// when a sample fails (after which the epoch is over and the workers have stopped).
        public mutating func nextBatch() throws -> Batch? { try epoch.next() }
    }

    /// Builds batch `b` from the epoch's index lists; shared by the consumer and the worker threads.
    final class BatchProducer: @unchecked Sendable {
        let dataset: D
        let batches: [ArraySlice<Int>]
        let seed: UInt64
        let collate: ([D.Sample]) throws -> Batch

        init(dataset: D, batches: [ArraySlice<Int>], seed: UInt64, collate: @escaping ([D.Sample]) throws -> Batch) {
            self.dataset = dataset; self.batches = batches; self.seed = seed; self.collate = collate
        }

        func produce(_ b: Int) throws -> Batch {
            // Random transforms draw from a generator that depends only on (epoch seed, batch index).
            try DataRandom.$current.withValue(DataRandom.derived(seed: seed, index: b)) {
                var samples: [D.Sample] = []
                samples.reserveCapacity(batches[b].count)
                for i in batches[b] {
                    do { samples.append(try dataset.sample(at: i)) } catch let error as DataError {
                        if case .sampleFailed = error { throw error }
                        throw DataError.sampleFailed(index: i, reason: error.description)
                    } catch {
                        throw DataError.sampleFailed(index: i, reason: "\(error)")
                    }
                }
                return try collate(samples)
            }
        }
    }

    /// The state of one epoch: either synchronous, or a window of batches shared with worker threads.
    final class Epoch {
        let producer: BatchProducer
        let queue: WorkQueue<Batch>?
        var nextIndex = 0
        var finished = false
        /// Runs once when the consumer reaches the end of the epoch (not when it leaves early).
        var atEnd: (() -> Void)?

        init(producer: BatchProducer, workers: Int, window: Int, atEnd: (() -> Void)?) {
            self.producer = producer
            self.atEnd = atEnd
            if workers > 0 && !producer.batches.isEmpty {
                let queue = WorkQueue<Batch>(total: producer.batches.count, window: window)
                self.queue = queue
                for _ in 0..<Swift.min(workers, producer.batches.count) {
                    let thread = Thread { [producer] in queue.workerLoop(producer.produce) }
                    thread.stackSize = 8 << 20
                    thread.start()
                }
            } else {
                queue = nil
            }
        }

        func next() throws -> Batch? {
            if finished || nextIndex >= producer.batches.count {
                finished = true
                atEnd?()
                atEnd = nil
                return nil
            }
            let b = nextIndex
            nextIndex += 1
            let result: Result<Batch, Error> = queue.map { $0.take(b) } ?? Result { try producer.produce(b) }
            switch result {
            case .success(let batch): return batch
            case .failure(let error):
                finished = true
                atEnd = nil     // the epoch did not reach its end
                queue?.cancel()
                throw error
            }
        }

        // Leaving a loop early (break, error) releases the epoch: stop the workers.
        deinit { queue?.cancel() }
    }
}

/// The batches of one epoch in flight between worker threads and the consumer, in order.
final class WorkQueue<Batch>: @unchecked Sendable {
    private let condition = NSCondition()
    private var nextDispatch = 0
    private var nextConsume = 0
    private var results: [Int: Result<Batch, Error>] = [:]
    private var cancelled = false
    private let total: Int
    private let window: Int

    init(total: Int, window: Int) {
        self.total = total
        self.window = Swift.max(window, 1)
    }

    /// A worker: claims the next batch index while the window has room, builds it, posts the result.
    func workerLoop(_ produce: (Int) throws -> Batch) {
        while true {
            condition.lock()
            while !cancelled && nextDispatch < total && nextDispatch - nextConsume >= window { condition.wait() }
            if cancelled || nextDispatch >= total { condition.unlock(); return }
            let b = nextDispatch
            nextDispatch += 1
            condition.unlock()
            let result = Result { try produce(b) }
            condition.lock()
            if !cancelled { results[b] = result }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The consumer: waits for batch `b` (claimed in order, so some worker is building or will build it).
    func take(_ b: Int) -> Result<Batch, Error> {
        condition.lock()
        defer { condition.unlock() }
        while results[b] == nil { condition.wait() }
        let r = results.removeValue(forKey: b)!
        nextConsume = b + 1
        condition.broadcast()
        return r
    }

    /// Stops the workers after the batch they are building; pending results are dropped.
    func cancel() {
        condition.lock()
        cancelled = true
        results.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

extension DataLoader {
    /// A loader whose samples are `Collatable`, batched by the default collation.
    ///
    /// - Parameters:
    ///   - dataset: The dataset to read samples from.
    ///   - batchSize: The number of samples per batch.
    ///   - shuffle: Draw a new permutation of the samples each epoch.
    ///   - dropLast: Drop the last batch when it would be smaller than `batchSize`.
    ///   - numWorkers: Threads that load batches ahead (0 loads on the caller's thread).
    ///   - prefetchFactor: Batches each worker keeps ready ahead of the consumer.
    ///   - generator: The random source for shuffling and per-batch seeds (nil: the default generator).
    public convenience init(_ dataset: D, batchSize: Int = 1, shuffle: Bool = false, dropLast: Bool = false,
                            numWorkers: Int = 0, prefetchFactor: Int = 2, generator: RandomSource? = nil)
    where D.Sample: Collatable, Batch == D.Sample.Collated {
        self.init(dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, numWorkers: numWorkers,
                  prefetchFactor: prefetchFactor, generator: generator, collate: { D.Sample.collate($0) })
    }

    /// A loader over `(A, B)` samples (e.g. `(image, label)`), each position collated: `for (x, y) in loader`.
    ///
    /// - Parameters:
    ///   - dataset: The dataset to read samples from.
    ///   - batchSize: The number of samples per batch.
    ///   - shuffle: Draw a new permutation of the samples each epoch.
    ///   - dropLast: Drop the last batch when it would be smaller than `batchSize`.
    ///   - numWorkers: Threads that load batches ahead (0 loads on the caller's thread).
    ///   - prefetchFactor: Batches each worker keeps ready ahead of the consumer.
    ///   - generator: The random source for shuffling and per-batch seeds (nil: the default generator).
    public convenience init<A: Collatable, B: Collatable>(
        _ dataset: D, batchSize: Int = 1, shuffle: Bool = false, dropLast: Bool = false,
        numWorkers: Int = 0, prefetchFactor: Int = 2, generator: RandomSource? = nil)
    where D.Sample == (A, B), Batch == (A.Collated, B.Collated) {
        self.init(dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, numWorkers: numWorkers,
                  prefetchFactor: prefetchFactor, generator: generator,
                  collate: { s in (A.collate(s.map { $0.0 }), B.collate(s.map { $0.1 })) })
    }

    /// A loader over `(A, B, C)` samples, each position collated.
    ///
    /// - Parameters:
    ///   - dataset: The dataset to read samples from.
    ///   - batchSize: The number of samples per batch.
    ///   - shuffle: Draw a new permutation of the samples each epoch.
    ///   - dropLast: Drop the last batch when it would be smaller than `batchSize`.
    ///   - numWorkers: Threads that load batches ahead (0 loads on the caller's thread).
    ///   - prefetchFactor: Batches each worker keeps ready ahead of the consumer.
    ///   - generator: The random source for shuffling and per-batch seeds (nil: the default generator).
    public convenience init<A: Collatable, B: Collatable, C: Collatable>(
        _ dataset: D, batchSize: Int = 1, shuffle: Bool = false, dropLast: Bool = false,
        numWorkers: Int = 0, prefetchFactor: Int = 2, generator: RandomSource? = nil)
    where D.Sample == (A, B, C), Batch == (A.Collated, B.Collated, C.Collated) {
        self.init(dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, numWorkers: numWorkers,
                  prefetchFactor: prefetchFactor, generator: generator,
                  collate: { s in (A.collate(s.map { $0.0 }), B.collate(s.map { $0.1 }), C.collate(s.map { $0.2 })) })
    }
}
