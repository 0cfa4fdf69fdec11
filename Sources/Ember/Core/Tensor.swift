// Tensor: an n-dimensional view (shape, strides, offset) into shared storage, with autograd state.

/// An n-dimensional array with a runtime dtype and autograd, with PyTorch's semantics.
///
/// `Tensor` is a class: `let b = a` aliases the same tensor, views (`view`, `transpose`, slicing, `detach`)
/// share storage with their base, and in-place ops (`x += y`, `x[...] = y`) write into existing memory —
/// exactly as `torch.Tensor` behaves.
///
/// ```swift
/// let x = Tensor.arange(12).reshape(3, 4)
/// let y = x.float().sum(dim: 1)   // tensor([ 6., 22., 38.])
/// ```
public final class Tensor {
    /// The memory this tensor views.
    public internal(set) var storage: Storage
    /// Size of each dimension (`[]` for a 0-d scalar tensor).
    public internal(set) var shape: [Int]
    /// Element step of each dimension in `storage` (may be 0 for expanded dimensions).
    public internal(set) var strides: [Int]
    /// Index (in elements) of the first element in `storage`.
    public internal(set) var storageOffset: Int
    /// Element type.
    public let dtype: DType

    /// Gradient accumulated by `backward()` (nil until the first backward, or after `zeroGrad(setToNone:)`).
    public var grad: Tensor?
    /// The node that created this tensor in the autograd graph (nil for leaves), e.g. `MulBackward0`.
    public internal(set) var gradFn: GradFn?
    var requiresGradFlag = false
    /// For leaves: the graph node that accumulates into `grad` (weak: the graph owns it, not the tensor).
    weak var accumulatorNode: AccumulateGrad?
    /// Set by `retainGrad()`: a non-leaf that keeps its `.grad` after backward.
    var retainsGradFlag = false
    /// Bumped by every in-place write; autograd uses it to detect saved tensors modified before backward.
    var versionBox: VersionCounter
    /// Hooks run after backward accumulates into this leaf's `.grad` (`registerPostAccumulateGradHook`).
    var postAccumulateGradHooks: [(id: Int, hook: (Tensor) -> Void)] = []

    /// Creates a tensor viewing `storage`. Most code should use the factory functions instead.
    ///
    /// - Parameters:
    ///   - storage: The memory the tensor views.
    ///   - shape: The sizes of the result's dimensions.
    ///   - strides: The step in elements between neighbours along each dimension.
    ///   - storageOffset: The index in elements of the first element within the storage.
    ///   - dtype: The element type of the result.
    ///   - version: The version counter shared with other views of the storage; nil starts a new one.
    public init(storage: Storage, shape: [Int], strides: [Int], storageOffset: Int = 0, dtype: DType,
                version: VersionCounter? = nil) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.storageOffset = storageOffset
        self.dtype = dtype
        self.versionBox = version ?? VersionCounter()
    }

    /// An uninitialised contiguous tensor (`torch.empty`).
    ///
    /// - Parameters:
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result.
    ///   - device: The device the memory lives on (default: `Device.current`, the CPU unless inside `withDevice`).
    public convenience init(empty shape: [Int], dtype: DType = .float32, device: Device = Device.current) {
        for s in shape where s < 0 { emberFail("empty", "negative dimension \(s) in shape \(shapeString(shape))") }
        guard let bytes = ShapeArithmetic.byteCount(shape, itemSize: dtype.itemSize) else {
            emberFail("empty", "shape \(shapeString(shape)) of \(dtype) has more bytes than memory can address")
        }
        self.init(storage: Storage(byteCount: bytes, device: device), shape: shape,
                  strides: Tensor.contiguousStrides(shape), dtype: dtype)
    }

    /// A contiguous tensor holding `values` in row-major order, with `T`'s dtype (Int → int64).
    public convenience init<T: TensorElement>(_ values: [T], shape: [Int]) {
        let n = shape.reduce(1, *)
        emberCheck(n == values.count, "tensor", "\(values.count) values cannot fill shape \(shapeString(shape))")
        self.init(empty: shape, dtype: T.dtype)
        values.withUnsafeBytes { src in
            if let base = src.baseAddress { storage.data.copyMemory(from: base, byteCount: n * dtype.itemSize) }
        }
    }

    /// A 1-d tensor holding `values`.
    public convenience init<T: TensorElement>(_ values: [T]) { self.init(values, shape: [values.count]) }

    /// A 0-d tensor holding `value` with the given dtype.
    public convenience init(scalar value: Double, dtype: DType = .float32) {
        self.init(empty: [], dtype: dtype)
        writeScalar(value, at: 0)
    }

    // MARK: Basic properties

    /// Number of dimensions (`dim()` in PyTorch).
    public var rank: Int { shape.count }
    /// Number of dimensions (PyTorch's `ndim`).
    public var ndim: Int { shape.count }
    /// Number of elements.
    public var numel: Int { shape.contains(0) ? 0 : shape.reduce(1, *) }
    /// The device of the storage.
    public var device: Device { storage.device }
    /// True when this tensor was not produced by a recorded op (user-created or detached).
    public var isLeaf: Bool { gradFn == nil }
    /// Size of dimension `d` (negative counts from the end).
    public func size(_ d: Int) -> Int { shape[normalizeDim(d, rank, op: "size")] }
    /// Stride of dimension `d` (negative counts from the end).
    public func stride(_ d: Int) -> Int { strides[normalizeDim(d, rank, op: "stride")] }

    /// Row-major strides for `shape`.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] { ShapeArithmetic.contiguousStrides(shape) }

    /// True when elements are laid out row-major with no gaps (`is_contiguous()`); like PyTorch, a tensor
    /// with no elements is contiguous whatever its strides.
    public var isContiguous: Bool {
        if shape.contains(0) { return true }
        var expected = 1
        for i in Swift.stride(from: rank - 1, through: 0, by: -1) where shape[i] != 1 {
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// Typed pointer to the first element (at `storageOffset`). `T` must match `dtype`'s memory layout.
    @inlinable
    public func pointer<T>(as: T.Type) -> UnsafeMutablePointer<T> {
        (storage.data + storageOffset * dtype.itemSize).assumingMemoryBound(to: T.self)
    }

    /// Raw pointer to the first element.
    public var rawPointer: UnsafeMutableRawPointer { storage.data + storageOffset * dtype.itemSize }

    /// Marks an in-place modification (autograd checks saved tensors' versions).
    func bumpVersion() { versionBox.value &+= 1 }
}

/// A shared counter of in-place writes; views share their base's counter, as in PyTorch.
public final class VersionCounter {
    public var value = 0
    public init() {}
}

/// Maps a possibly negative dim into 0..<rank, stopping with PyTorch's message when out of range.
///
/// - Parameters:
///   - d: The dimension, negative counting from the end.
///   - rank: The number of dimensions of the tensor.
///   - op: The op named in the message when `d` is out of range.
@inline(__always)
public func normalizeDim(_ d: Int, _ rank: Int, op: String) -> Int {
    let r = Swift.max(rank, 1)
    if d < -r || d >= r {
        emberFail(op, "Dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(d))")
    }
    return d < 0 ? d + r : d
}
