// Cumulative sums along one dimension, forward and reversed (the reversed scan is cumsum's backward).

/// The sizes before, at and after `dim` of `shape`: a contiguous tensor is then [outer, n, inner].
/// A 0-d shape counts as one element.
func splitAround(_ shape: [Int], _ dim: Int) -> (outer: Int, n: Int, inner: Int) {
    if shape.isEmpty { return (1, 1, 1) }
    return (shape[..<dim].reduce(1, *), shape[dim], shape[(dim + 1)...].reduce(1, *))
}

/// Cumulative sum of `x` along `dim` into a new contiguous tensor of `outType`; `reverse` sums from the
/// end (`flip(cumsum(flip(x)))`). Floats accumulate in Double (like PyTorch's CPU scan), integers and bools
/// in wrapping Int64 (PyTorch gives int64).
func cumsumKernel(_ x: Tensor, dim: Int, reverse: Bool, outType: DType) -> Tensor {
    let split = splitAround(x.shape, dim)
    switch x.dtype {
    case .float32: return scanFloat(Float.self, x.contiguous(), split, reverse)
    case .float64: return scanFloat(Double.self, x.contiguous(), split, reverse)
    case .float16, .bfloat16: return scanFloat(Float.self, x.to(.float32), split, reverse).to(outType)
    case .int64: return scanInt(Int64.self, x.contiguous(), split, reverse)
    case .int32: return scanInt(Int32.self, x.contiguous(), split, reverse)
    case .int16: return scanInt(Int16.self, x.contiguous(), split, reverse)
    case .int8: return scanInt(Int8.self, x.contiguous(), split, reverse)
    case .uint8: return scanInt(UInt8.self, x.contiguous(), split, reverse)
    case .bool: return scanInt(Bool.self, x.contiguous(), split, reverse)
    }
}

/// Walks [outer, n, inner] so that each step along `n` reads and writes `inner` consecutive elements.
@inline(__always)
private func scan<T, A, R>(_ p: UnsafeMutablePointer<T>, _ q: UnsafeMutablePointer<R>, _ split: (outer: Int, n: Int, inner: Int),
                           _ reverse: Bool, zero: A, _ add: (A, T) -> A, _ convert: (A) -> R) {
    let (outer, n, inner) = split
    var acc = [A](repeating: zero, count: inner)
    acc.withUnsafeMutableBufferPointer { a in
        for o in 0..<outer {
            for i in 0..<inner { a[i] = zero }
            for step in 0..<n {
                let base = (o * n + (reverse ? n - 1 - step : step)) * inner
                for i in 0..<inner {
                    a[i] = add(a[i], p[base + i])
                    q[base + i] = convert(a[i])
                }
            }
        }
    }
}

private func scanFloat<T: FloatElement>(_: T.Type, _ x: Tensor, _ split: (outer: Int, n: Int, inner: Int), _ reverse: Bool) -> Tensor {
    let out = Tensor(empty: x.shape, dtype: T.dtype)
    scan(x.pointer(as: T.self), out.pointer(as: T.self), split, reverse, zero: 0.0, { $0 + $1.asDouble }, { T(fromDouble: $0) })
    return out
}

private func scanInt<T: TensorElement>(_: T.Type, _ x: Tensor, _ split: (outer: Int, n: Int, inner: Int), _ reverse: Bool) -> Tensor {
    let out = Tensor(empty: x.shape, dtype: .int64)
    scan(x.pointer(as: T.self), out.pointer(as: Int64.self), split, reverse, zero: Int64(0), { $0 &+ $1.asInt64 }, { $0 })
    return out
}
