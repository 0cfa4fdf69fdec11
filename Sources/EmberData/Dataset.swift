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
