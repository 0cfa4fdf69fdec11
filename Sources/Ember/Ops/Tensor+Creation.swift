// Factory functions: tensor literals, zeros/ones/full/empty, arange, linspace, eye (random ones live in Random/).

/// A value that can appear in a `tensor(...)` literal: numbers, Bools, and arrays of them (nested).
public protocol TensorLiteral {
    /// Appends this value's elements (row-major) to `values` and returns its shape.
    func flatten(into values: inout [Double], kind: inout Int) -> [Int]
}
extension Int: TensorLiteral {
    public func flatten(into values: inout [Double], kind: inout Int) -> [Int] { values.append(Double(self)); kind = Swift.max(kind, 1); return [] }
}
extension Double: TensorLiteral {
    public func flatten(into values: inout [Double], kind: inout Int) -> [Int] { values.append(self); kind = Swift.max(kind, 2); return [] }
}
extension Float: TensorLiteral {
    public func flatten(into values: inout [Double], kind: inout Int) -> [Int] { values.append(Double(self)); kind = Swift.max(kind, 2); return [] }
}
extension Bool: TensorLiteral {
    public func flatten(into values: inout [Double], kind: inout Int) -> [Int] { values.append(self ? 1 : 0); return [] }
}
extension Array: TensorLiteral where Element: TensorLiteral {
    public func flatten(into values: inout [Double], kind: inout Int) -> [Int] {
        var inner: [Int]? = nil
        for e in self {
            let s = e.flatten(into: &values, kind: &kind)
            if let i = inner, i != s { emberFail("tensor", "expected sequence of length \(i.first ?? 0) at dim \(1) (got \(s.first ?? 0))") }
            inner = s
        }
        return [count] + (inner ?? [])
    }
}

/// Builds a tensor from a (nested) Swift array or number, like `torch.tensor`: Int → int64,
/// Double/Float → float32 (PyTorch's default dtype), Bool → bool, unless `dtype` is given.
///
/// ```swift
/// let a = tensor([[2, 2], [4, 3]])          // int64, shape [2, 2]
/// let b = tensor([1.0, 2.5], dtype: .float64)
/// ```
///
/// - Parameters:
///   - literal: Nested arrays of numbers or bools (`[[1, 2], [3, 4]]`).
///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
public func tensor<L: TensorLiteral>(_ literal: L, dtype: DType? = nil, requiresGrad: Bool = false) -> Tensor {
    var values: [Double] = []
    var kind = 0
    let shape = literal.flatten(into: &values, kind: &kind)
    let t = Tensor(values.map { $0 }, shape: shape).to(dtype ?? DType.defaultType(category: kind))
    if requiresGrad { t.requiresGrad = true }
    return t
}

extension Tensor {
    /// A tensor filled with `value` (`torch.full`).
    ///
    /// - Parameters:
    ///   - shape: The sizes of the result's dimensions.
    ///   - value: The value of every element.
    ///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(empty: shape, dtype: dtype)
        t.fill_(value)
        if requiresGrad { t.requiresGrad = true }
        return t
    }
    /// Zeros (`torch.zeros`).
    ///
    /// - Parameters:
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func zeros(_ shape: Int..., dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor { zeros(shape, dtype: dtype, requiresGrad: requiresGrad) }
    /// Zeros (`torch.zeros`).
    ///
    /// - Parameters:
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func zeros(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor { full(shape, 0, dtype: dtype, requiresGrad: requiresGrad) }
    /// Ones (`torch.ones`).
    ///
    /// - Parameters:
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func ones(_ shape: Int..., dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor { ones(shape, dtype: dtype, requiresGrad: requiresGrad) }
    /// Ones (`torch.ones`).
    ///
    /// - Parameters:
    ///   - shape: The sizes of the result's dimensions.
    ///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
    ///   - requiresGrad: Whether the result records operations for autograd (a leaf that gets `.grad`).
    public static func ones(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor { full(shape, 1, dtype: dtype, requiresGrad: requiresGrad) }
    /// Uninitialised memory (`torch.empty`).
    public static func empty(_ shape: Int..., dtype: DType = .float32) -> Tensor { Tensor(empty: shape, dtype: dtype) }
    /// Uninitialised memory (`torch.empty`).
    public static func empty(_ shape: [Int], dtype: DType = .float32) -> Tensor { Tensor(empty: shape, dtype: dtype) }
    /// Zeros shaped like `t` (`torch.zeros_like`).
    public static func zerosLike(_ t: Tensor, dtype: DType? = nil) -> Tensor { zeros(t.shape, dtype: dtype ?? t.dtype) }
    /// Ones shaped like `t` (`torch.ones_like`).
    public static func onesLike(_ t: Tensor, dtype: DType? = nil) -> Tensor { ones(t.shape, dtype: dtype ?? t.dtype) }
    /// `value` shaped like `t` (`torch.full_like`).
    ///
    /// - Parameters:
    ///   - t: The tensor whose shape is used.
    ///   - value: The value of every element.
    ///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
    public static func fullLike(_ t: Tensor, _ value: Double, dtype: DType? = nil) -> Tensor { full(t.shape, value, dtype: dtype ?? t.dtype) }
    /// Uninitialised, shaped like `t` (`torch.empty_like`).
    public static func emptyLike(_ t: Tensor, dtype: DType? = nil) -> Tensor { Tensor(empty: t.shape, dtype: dtype ?? t.dtype) }

    /// Integers `0..<end` as int64 (`torch.arange(end)`).
    public static func arange(_ end: Int, dtype: DType = .int64) -> Tensor { arange(0, end, 1, dtype: dtype) }
    /// Integers from `start` to `end` (exclusive) by `step` (`torch.arange(start, end, step)`).
    ///
    /// - Parameters:
    ///   - start: The first value.
    ///   - end: The end of the range (excluded for `arange`, included for `linspace`).
    ///   - step: The difference between neighbouring values.
    ///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
    public static func arange(_ start: Int, _ end: Int, _ step: Int = 1, dtype: DType = .int64) -> Tensor {
        emberCheck(step != 0, "arange", "step must be nonzero")
        let n = Swift.max(0, (end - start + step - (step > 0 ? 1 : -1)) / step)
        let t = Tensor(empty: [n], dtype: dtype)
        for i in 0..<n { t.writeScalar(Double(start + i * step), at: i) }
        return t
    }
    /// Floating-point range (`torch.arange(0.0, 4.1, 0.1)`): `ceil((end - start) / step)` values `start + i*step`, float32,
    /// rounded exactly as PyTorch's CPU kernel rounds them.
    ///
    /// - Parameters:
    ///   - start: The first value.
    ///   - end: The end of the range (excluded for `arange`, included for `linspace`).
    ///   - step: The difference between neighbouring values.
    ///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
    public static func arange(_ start: Double, _ end: Double, _ step: Double = 1, dtype: DType = .float32) -> Tensor {
        emberCheck(step != 0, "arange", "step must be nonzero")
        emberCheck(start.isFinite && end.isFinite, "arange", "unsupported range: \(start) -> \(end)")
        emberCheck((end - start) / step >= 0 || end == start, "arange", "upper bound and larger bound inconsistent with step sign")
        // PyTorch's size: ceil((end - start) / step) in double (41 values for arange(0, 4.1, 0.1)).
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        let t = Tensor(empty: [n], dtype: dtype)
        // PyTorch's AVX2 kernel: values `start + step * i` in double, except that in each pair of 32-byte
        // vectors the vector's first value is rounded to the output type and the rest step from it.
        // Emulating that keeps every float32 value equal to PyTorch's (for up to 32768 values, PyTorch's
        // per-thread grain; beyond it PyTorch's chunking by thread count can shift the vectors).
        let v = dtype.isFloatingPoint ? Swift.max(1, 32 / dtype.itemSize) : 1
        func exact(_ idx: Int) -> Double { start.addingProduct(step, Double(idx)) }
        var i = 0
        if v > 1 {
            while i <= n - 2 * v {
                for block in [i, i + v] {
                    t.writeScalar(exact(block), at: block)
                    let base = t.readScalar(atOffset: block)
                    for k in 1..<v { t.writeScalar(base.addingProduct(Double(k), step), at: block + k) }
                }
                i += 2 * v
            }
        }
        while i < n { t.writeScalar(exact(i), at: i); i += 1 }
        return t
    }
    /// `steps` evenly spaced values from `start` to `end` inclusive (`torch.linspace`).
    ///
    /// Like PyTorch, the first half is computed forward from `start` and the second half backward from
    /// `end`, so both ends are exact.
    ///
    /// - Parameters:
    ///   - start: The first value.
    ///   - end: The end of the range (excluded for `arange`, included for `linspace`).
    ///   - steps: The number of values.
    ///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
    public static func linspace(_ start: Double, _ end: Double, _ steps: Int, dtype: DType = .float32) -> Tensor {
        emberCheck(steps >= 0, "linspace", "number of steps must be non-negative")
        let t = Tensor(empty: [steps], dtype: dtype)
        if steps == 1 { t.writeScalar(start, at: 0) }
        guard steps > 1 else { return t }
        // PyTorch's kernel is serial, in the output type (double for integers), and its
        // `start + step * i` / `end - step * (steps - i - 1)` compile to fused multiply-adds.
        let half = steps / 2
        if dtype == .float32 || dtype == .float16 || dtype == .bfloat16 {
            let s = Float(start), e = Float(end)
            let step = (e - s) / Float(steps - 1)
            for i in 0..<steps {
                let v = i < half ? s.addingProduct(step, Float(i)) : e.addingProduct(-step, Float(steps - i - 1))
                t.writeScalar(Double(v), at: i)
            }
        } else {
            let step = (end - start) / Double(steps - 1)
            for i in 0..<steps {
                t.writeScalar(i < half ? start.addingProduct(step, Double(i)) : end.addingProduct(-step, Double(steps - i - 1)), at: i)
            }
        }
        return t
    }
    /// Identity matrix, `n × m` (`torch.eye`).
    ///
    /// - Parameters:
    ///   - n: The number of rows.
    ///   - m: The number of columns (nil: `n`).
    ///   - dtype: The element type of the result (nil: inferred as PyTorch does, float32 for floats, int64 for integers).
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32) -> Tensor {
        let cols = m ?? n
        let t = zeros([n, cols], dtype: dtype)
        for i in 0..<Swift.min(n, cols) { t.writeScalar(1, at: i * cols + i) }
        return t
    }
}
