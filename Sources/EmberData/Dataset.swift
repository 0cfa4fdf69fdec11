// Dataset: the protocol every data source conforms to (`torch.utils.data.Dataset`).
import Ember

/// A finite, indexable collection of samples (`torch.utils.data.Dataset` with `__len__`/`__getitem__`).
///
/// `Sample` is whatever one item is: usually `(Tensor, Tensor)` or `(Tensor, Int)`. Subscripts throw so that
/// datasets reading files can report which sample failed; in-memory datasets simply never throw.
/// Implementations must allow concurrent reads from several threads (DataLoader workers are threads).
public protocol Dataset {
    associatedtype Sample
    /// Number of samples (`len(dataset)`).
    var count: Int { get }
    /// The sample at `index` in `0..<count`.
    func sample(at index: Int) throws -> Sample
}

extension Dataset {
    /// The sample at `index` (`dataset[i]`); throws like `sample(at:)`.
    public subscript(_ index: Int) -> Sample {
        get throws { try sample(at: index) }
    }

    /// Number of samples, PyTorch's spelling (`len(dataset)`).
    public var length: Int { count }

    /// A dataset whose samples are this dataset's passed through `transform`, computed on access.
    ///
    /// ```swift
    /// let doubled = base.map { (x, y) in (x * 2, y) }
    /// ```
    public func map<T>(_ transform: @escaping (Sample) throws -> T) -> MappedDataset<Self, T> {
        MappedDataset(base: self, transform: transform)
    }
}

/// A dataset that applies a function to each sample of another on access (see `Dataset.map`).
public struct MappedDataset<Base: Dataset, Sample>: Dataset {
    public let base: Base
    let transform: (Base.Sample) throws -> Sample
    public var count: Int { base.count }
    public func sample(at index: Int) throws -> Sample { try transform(try base.sample(at: index)) }
}

/// A type-erased dataset, for mixing dataset types (e.g. in `ConcatDataset`).
public struct AnyDataset<Sample>: Dataset {
    private let countValue: Int
    private let fetch: (Int) throws -> Sample
    /// Wraps `dataset`.
    public init<D: Dataset>(_ dataset: D) where D.Sample == Sample {
        countValue = dataset.count
        fetch = { try dataset.sample(at: $0) }
    }
    public var count: Int { countValue }
    public func sample(at index: Int) throws -> Sample { try fetch(index) }
}

/// Stops with PyTorch's message when `index` is outside `0..<count`.
@inline(__always)
func checkIndex(_ index: Int, _ count: Int, _ op: String) {
    emberCheck(index >= 0 && index < count, op, "index \(index) is out of range for dataset of size \(count)")
}
