// PyTorch's result-type rules: dimensioned tensors outrank 0-d tensors, which outrank Swift number literals.

/// A Swift number usable beside a tensor in arithmetic (`x * 2`, `0.5 * x`), like a Python scalar in PyTorch:
/// it never widens the tensor's dtype within a category (float32 tensor * Double stays float32).
public protocol TensorScalar {
    /// 0 bool, 1 integer, 2 floating point.
    static var scalarCategory: Int { get }
    var doubleValue: Double { get }
}
extension Int: TensorScalar { public static var scalarCategory: Int { 1 }; public var doubleValue: Double { Double(self) } }
extension Int32: TensorScalar { public static var scalarCategory: Int { 1 }; public var doubleValue: Double { Double(self) } }
extension Int64: TensorScalar { public static var scalarCategory: Int { 1 }; public var doubleValue: Double { Double(self) } }
extension Double: TensorScalar { public static var scalarCategory: Int { 2 }; public var doubleValue: Double { self } }
extension Float: TensorScalar { public static var scalarCategory: Int { 2 }; public var doubleValue: Double { Double(self) } }
extension Bool: TensorScalar { public static var scalarCategory: Int { 0 }; public var doubleValue: Double { self ? 1 : 0 } }

/// `torch.result_type` for two tensors.
public func resultType(_ a: Tensor, _ b: Tensor) -> DType {
    let aDim = a.rank > 0, bDim = b.rank > 0
    if aDim == bDim { return DType.promote(a.dtype, b.dtype) }
    let dimmed = aDim ? a.dtype : b.dtype, zeroDim = aDim ? b.dtype : a.dtype
    return zeroDim.category > dimmed.category ? zeroDim : dimmed
}

/// `torch.result_type` over several tensors (as `torch.addcmul` promotes its three operands).
public func resultType(_ tensors: [Tensor]) -> DType {
    let dimmed = tensors.filter { $0.rank > 0 }.map(\.dtype), zeroDim = tensors.filter { $0.rank == 0 }.map(\.dtype)
    let d = dimmed.dropFirst().reduce(dimmed.first) { DType.promote($0!, $1) }
    let z = zeroDim.dropFirst().reduce(zeroDim.first) { DType.promote($0!, $1) }
    guard let d else { return z! }
    guard let z else { return d }
    return z.category > d.category ? z : d
}

/// `torch.result_type` for a tensor and a Swift number of the given category.
public func resultType(_ a: Tensor, scalarCategory: Int) -> DType {
    scalarCategory > a.dtype.category ? DType.defaultType(category: scalarCategory) : a.dtype
}

extension Tensor {
    /// A 0-d tensor holding `value`, typed to combine with `self` as PyTorch combines a Python number.
    func wrapScalar<S: TensorScalar>(_ value: S) -> Tensor {
        Tensor(scalar: value.doubleValue, dtype: resultType(self, scalarCategory: S.scalarCategory))
    }
}
