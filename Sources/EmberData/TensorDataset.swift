// TensorDataset: samples are rows of in-memory tensors (`torch.utils.data.TensorDataset`, the notes' load_array).
import Ember

/// A dataset of (features, label) rows taken along dimension 0 of two tensors (`TensorDataset(X, y)`).
///
/// Matches `torch.utils.data.TensorDataset(features, labels)`: sample `i` is `(features[i], labels[i])`,
/// views sharing the tensors' storage. For one tensor or more than two, use `TensorListDataset`.
///
/// ```swift
/// let ds = TensorDataset(features, labels)          // d2l's load_array((features, labels), ...)
/// let loader = DataLoader(ds, batchSize: 10, shuffle: true)
/// for (X, y) in loader { ... }
/// ```
public struct TensorDataset: Dataset {
    /// The first tensor (features), indexed along dimension 0.
    public let features: Tensor
    /// The second tensor (labels), indexed along dimension 0.
    public let labels: Tensor

    /// Pairs `features` and `labels`; their first dimensions must be equal.
    public init(_ features: Tensor, _ labels: Tensor) {
        emberCheck(features.rank > 0 && labels.rank > 0, "TensorDataset", "tensors must have at least one dimension")
        emberCheck(features.shape[0] == labels.shape[0], "TensorDataset",
                   "Size mismatch between tensors: \(shapeString(features.shape)) and \(shapeString(labels.shape))")
        self.features = features.detach()
        self.labels = labels.detach()
    }

    public var count: Int { features.shape[0] }

    public func sample(at index: Int) throws -> (Tensor, Tensor) {
        checkIndex(index, count, "TensorDataset")
        return (features.select(0, index), labels.select(0, index))
    }
}

/// A dataset of rows taken along dimension 0 of any number of tensors (`TensorDataset(*tensors)`).
///
/// Sample `i` is `[t[i] for t in tensors]`; the default collation stacks each position.
public struct TensorListDataset: Dataset {
    /// The tensors, all with the same first dimension.
    public let tensors: [Tensor]

    /// Rows of `tensors` (at least one; equal first dimensions).
    public init(_ tensors: Tensor...) { self.init(tensors) }

    /// Rows of `tensors` (at least one; equal first dimensions).
    public init(_ tensors: [Tensor]) {
        emberCheck(!tensors.isEmpty, "TensorDataset", "at least one tensor required")
        emberCheck(tensors.allSatisfy { $0.rank > 0 && $0.shape[0] == tensors[0].shape[0] }, "TensorDataset",
                   "Size mismatch between tensors: " + tensors.map { shapeString($0.shape) }.joined(separator: ", "))
        self.tensors = tensors.map { $0.detach() }
    }

    public var count: Int { tensors[0].shape[0] }

    public func sample(at index: Int) throws -> [Tensor] {
        checkIndex(index, count, "TensorDataset")
        return tensors.map { $0.select(0, index) }
    }
}
