// DistributedSampler: each rank's share of a dataset's indices, exactly as torch.utils.data.DistributedSampler.
import Ember
import EmberData

/// The indices rank `rank` of `numReplicas` visits in one epoch (`torch.utils.data.DistributedSampler`).
///
/// Same indices as PyTorch for the same arguments: the epoch's order is `0..<n`, or with `shuffle`
/// `Tensor.randperm(n)` from a generator seeded `seed + epoch` (Ember's generator reproduces torch's stream);
/// without `dropLast` the order is padded to a multiple of `numReplicas` by repeating it from the start; with
/// `dropLast` the tail is cut instead; rank r then takes every `numReplicas`-th index starting at r. Call
/// `setEpoch` before each epoch, or every epoch has the same order (PyTorch's rule too).
///
/// Ember's `DataLoader` takes no sampler: wrap the dataset in a `Subset` of this epoch's indices,
/// `DataLoader(Subset(dataset, indices: sampler.indices()), batchSize: b)` (no `shuffle`: the sampler shuffles).
public struct DistributedSampler: Sequence, Sendable {
    /// The dataset size.
    public let datasetCount: Int
    /// Number of ranks sharing the dataset.
    public let numReplicas: Int
    /// This sampler's rank.
    public let rank: Int
    /// Shuffle each epoch (from `seed + epoch`).
    public let shuffle: Bool
    /// Seed shared by every rank.
    public let seed: UInt64
    /// Drop the tail instead of padding, so every rank gets the same number of distinct indices.
    public let dropLast: Bool
    /// The current epoch (set by `setEpoch`).
    public private(set) var epoch = 0

    /// A sampler over `datasetCount` items. `numReplicas` and `rank` default to the world group's when MPI is
    /// running; pass them explicitly otherwise.
    ///
    /// - Parameters:
    ///   - datasetCount: The number of items in the dataset.
    ///   - numReplicas: The number of processes sharing the dataset.
    ///   - rank: This process's rank among them.
    ///   - shuffle: Shuffle each epoch with a permutation seeded by `seed + epoch`.
    ///   - seed: The seed shared by every rank.
    ///   - dropLast: Drop the tail so every rank gets the same count (false: pad by repeating items).
    public init(datasetCount: Int, numReplicas: Int, rank: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) {
        emberCheck(datasetCount >= 0, "DistributedSampler", "dataset size must be non-negative, got \(datasetCount)")
        emberCheck(numReplicas >= 1, "DistributedSampler", "numReplicas must be at least 1, got \(numReplicas)")
        emberCheck(rank >= 0 && rank < numReplicas, "DistributedSampler",
                   "Invalid rank \(rank), rank should be in the interval [0, \(numReplicas - 1)]")
        self.datasetCount = datasetCount
        self.numReplicas = numReplicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
    }

    /// A sampler over `dataset` for this process's rank in `group`.
    ///
    /// - Parameters:
    ///   - dataset: The dataset to split across the group.
    ///   - group: The processes sharing the dataset.
    ///   - shuffle: Shuffle each epoch with a permutation seeded by `seed + epoch`.
    ///   - seed: The seed shared by every rank.
    ///   - dropLast: Drop the tail so every rank gets the same count (false: pad by repeating items).
    public init<D: Dataset>(_ dataset: D, group: ProcessGroup, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) {
        self.init(datasetCount: dataset.count, numReplicas: group.worldSize, rank: group.rank, shuffle: shuffle, seed: seed, dropLast: dropLast)
    }

    /// Indices per rank per epoch (`num_samples`).
    public var numSamples: Int {
        if dropLast && datasetCount % numReplicas != 0 {
            // ceil((n - r) / r), as PyTorch computes it (n >= r here, or the result is 0).
            return Swift.max(0, (datasetCount - numReplicas + numReplicas - 1) / numReplicas)
        }
        return (datasetCount + numReplicas - 1) / numReplicas
    }
    /// `numSamples * numReplicas`.
    public var totalSize: Int { numSamples * numReplicas }
    /// Same as `numSamples` (`len(sampler)`).
    public var count: Int { numSamples }

    /// Sets the epoch whose order `indices()` returns (`set_epoch`).
    public mutating func setEpoch(_ epoch: Int) { self.epoch = epoch }

    /// This rank's indices for the current epoch.
    public func indices() -> [Int] {
        var order: [Int]
        if shuffle {
            let g = Ember.Generator(seed: seed &+ UInt64(bitPattern: Int64(epoch)))
            let perm = Tensor.randperm(datasetCount, generator: g)
            let p = perm.pointer(as: Int64.self)
            order = (0..<datasetCount).map { Int(p[$0]) }
        } else {
            order = Array(0..<datasetCount)
        }
        if !dropLast {
            let padding = totalSize - order.count
            if padding > 0 && !order.isEmpty {
                let base = order
                var i = 0
                while order.count < totalSize { order.append(base[i % base.count]); i += 1 }
            }
        } else {
            order = Array(order.prefix(totalSize))
        }
        return Array(Swift.stride(from: rank, to: totalSize, by: numReplicas).map { order[$0] })
    }

    public func makeIterator() -> IndexingIterator<[Int]> { indices().makeIterator() }
}
