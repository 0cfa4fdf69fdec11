// Subset, randomSplit and ConcatDataset: views over other datasets by index.
import Ember

/// The samples of `dataset` at `indices`, in that order (`torch.utils.data.Subset`).
public struct Subset<Base: Dataset>: Dataset {
    /// The underlying dataset.
    public let dataset: Base
    /// Indices into `dataset`.
    public let indices: [Int]

    /// A view of `dataset` at `indices` (each in `0..<dataset.count`).
    public init(_ dataset: Base, indices: [Int]) {
        for i in indices { checkIndex(i, dataset.count, "Subset") }
        self.dataset = dataset
        self.indices = indices
    }

    public var count: Int { indices.count }
    public func sample(at index: Int) throws -> Base.Sample {
        checkIndex(index, count, "Subset")
        return try dataset.sample(at: indices[index])
    }
}

/// Splits `dataset` into non-overlapping random subsets of the given lengths (`torch.utils.data.random_split`).
///
/// `lengths` are counts summing to `dataset.count`. The permutation comes from `generator` (or the
/// default data generator), so the same seed gives the same split.
///
/// ```swift
/// let parts = randomSplit(ds, lengths: [800, 200], generator: SplitMix64(seed: 42))
/// ```
///
/// - Parameters:
///   - dataset: The dataset to split.
///   - lengths: The size of each part; they must add up to the dataset's count.
///   - generator: The random source for the permutation (nil: the default generator).
public func randomSplit<D: Dataset>(_ dataset: D, lengths: [Int], generator: RandomSource? = nil) -> [Subset<D>] {
    emberCheck(lengths.allSatisfy { $0 >= 0 }, "random_split", "lengths must be non-negative, got \(lengths)")
    emberCheck(lengths.reduce(0, +) == dataset.count, "random_split",
               "Sum of input lengths does not equal the length of the input dataset!")
    let perm = DataRandom.resolve(generator).permutation(dataset.count)
    var out: [Subset<D>] = []
    var start = 0
    for n in lengths {
        out.append(Subset(dataset, indices: Array(perm[start..<start + n])))
        start += n
    }
    return out
}

/// Splits `dataset` by fractions summing to 1 (`random_split(ds, [0.8, 0.2])`).
///
/// As in PyTorch, each length is `floor(count * fraction)` and the remainder is handed out one by one,
/// round-robin from the first subset.
///
/// - Parameters:
///   - dataset: The dataset to split.
///   - fractions: The share of each part; they must add up to 1 (remainders go to the first parts, as PyTorch does).
///   - generator: The random source for the permutation (nil: the default generator).
public func randomSplit<D: Dataset>(_ dataset: D, fractions: [Double], generator: RandomSource? = nil) -> [Subset<D>] {
    emberCheck(Swift.abs(fractions.reduce(0, +) - 1) < 1e-9 && fractions.allSatisfy { $0 >= 0 && $0 <= 1 },
               "random_split", "fractions must be in [0, 1] and sum to 1, got \(fractions)")
    var lengths = fractions.map { Int((Double(dataset.count) * $0).rounded(.down)) }
    let remainder = dataset.count - lengths.reduce(0, +)
    for i in 0..<remainder { lengths[i % lengths.count] += 1 }
    return randomSplit(dataset, lengths: lengths, generator: generator)
}

/// Several datasets one after another (`torch.utils.data.ConcatDataset`).
///
/// For datasets of different types with the same `Sample`, wrap them in `AnyDataset`.
public struct ConcatDataset<Base: Dataset>: Dataset {
    /// The parts, in order.
    public let datasets: [Base]
    /// Running totals: `cumulativeSizes[i]` is the number of samples in `datasets[0...i]`.
    public let cumulativeSizes: [Int]

    /// Concatenates `datasets` (at least one).
    public init(_ datasets: [Base]) {
        emberCheck(!datasets.isEmpty, "ConcatDataset", "datasets should not be an empty iterable")
        self.datasets = datasets
        var total = 0
        cumulativeSizes = datasets.map { total += $0.count; return total }
    }

    public var count: Int { cumulativeSizes.last ?? 0 }

    public func sample(at index: Int) throws -> Base.Sample {
        checkIndex(index, count, "ConcatDataset")
        // Binary search for the first part whose running total exceeds index (bisect_right).
        var lo = 0, hi = cumulativeSizes.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulativeSizes[mid] > index { hi = mid } else { lo = mid + 1 }
        }
        let start = lo == 0 ? 0 : cumulativeSizes[lo - 1]
        return try datasets[lo].sample(at: index - start)
    }
}
