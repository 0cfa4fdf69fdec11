// Offset-list kernels under every indexing op: gather elements by offset, scatter (write or add) by offset.
//
// Every indexing op (gather, index_select, advanced and mask indexing, scatter, index_add, index_put)
// reduces to a list of element offsets computed once in Int arrays; these loops then move the elements
// without per-element closures or dtype dispatch.

/// Element offsets (from the first element) of the row-major positions `linear` in a layout of
/// `shape`/`strides`. Returns `linear` itself for a contiguous layout.
func stridedOffsets(_ linear: [Int], shape: [Int], strides: [Int]) -> [Int] {
    if strides == Tensor.contiguousStrides(shape) { return linear }
    let r = shape.count
    var out = [Int](repeating: 0, count: linear.count)
    linear.withUnsafeBufferPointer { lin in
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<lin.count {
                var rem = lin[i], off = 0
                var d = r - 1
                while d >= 0 {
                    let s = shape[d]
                    off += (rem % s) * strides[d]
                    rem /= s
                    d -= 1
                }
                o[i] = off
            }
        }
    }
    return out
}

/// A new contiguous tensor of `shape` with `out[i] = src[offsets[i]]` (offsets from src's first element).
func gatherElements(_ src: Tensor, offsets: [Int], shape: [Int]) -> Tensor {
    let out = Tensor(empty: shape, dtype: src.dtype)
    switch src.dtype.itemSize {
    case 1: gatherLoop(UInt8.self, src, offsets, out)
    case 2: gatherLoop(UInt16.self, src, offsets, out)
    case 4: gatherLoop(UInt32.self, src, offsets, out)
    default: gatherLoop(UInt64.self, src, offsets, out)
    }
    return out
}

private func gatherLoop<T>(_: T.Type, _ src: Tensor, _ offsets: [Int], _ out: Tensor) {
    let s = src.pointer(as: T.self), o = out.pointer(as: T.self)
    offsets.withUnsafeBufferPointer { off in
        for i in 0..<off.count { o[i] = s[off[i]] }
    }
}

/// Writes (or, with `accumulate`, adds) `values[i]` at `dst[offsets[i]]`. `values` must be contiguous,
/// of `dst`'s dtype, with `offsets.count` elements. Writes happen in order, so with repeated offsets
/// and `accumulate == false` the last value wins (PyTorch leaves that case unspecified).
func scatterElements(_ values: Tensor, into dst: Tensor, offsets: [Int], accumulate: Bool) {
    emberCheck(values.dtype == dst.dtype && values.isContiguous && values.numel == offsets.count, "scatter",
               "internal: values \(values.dtype) \(shapeString(values.shape)) do not fit \(offsets.count) offsets into \(dst.dtype)")
    if !accumulate {
        switch dst.dtype.itemSize {
        case 1: scatterLoop(UInt8.self, values, dst, offsets)
        case 2: scatterLoop(UInt16.self, values, dst, offsets)
        case 4: scatterLoop(UInt32.self, values, dst, offsets)
        default: scatterLoop(UInt64.self, values, dst, offsets)
        }
        return
    }
    switch dst.dtype {
    case .float32: accumulateLoop(Float.self, values, dst, offsets) { $0 + $1 }
    case .float64: accumulateLoop(Double.self, values, dst, offsets) { $0 + $1 }
    case .int64: accumulateLoop(Int64.self, values, dst, offsets) { $0 &+ $1 }
    case .int32: accumulateLoop(Int32.self, values, dst, offsets) { $0 &+ $1 }
    case .int16: accumulateLoop(Int16.self, values, dst, offsets) { $0 &+ $1 }
    case .int8: accumulateLoop(Int8.self, values, dst, offsets) { $0 &+ $1 }
    case .uint8: accumulateLoop(UInt8.self, values, dst, offsets) { $0 &+ $1 }
    case .bool: accumulateLoop(Bool.self, values, dst, offsets) { $0 || $1 }
    case .float16: accumulateLoop(Float16.self, values, dst, offsets) { Float16(Float($0) + Float($1)) }
    case .bfloat16: accumulateLoop(BFloat16.self, values, dst, offsets) { BFloat16($0.float + $1.float) }
    }
}

private func scatterLoop<T>(_: T.Type, _ values: Tensor, _ dst: Tensor, _ offsets: [Int]) {
    let v = values.pointer(as: T.self), d = dst.pointer(as: T.self)
    offsets.withUnsafeBufferPointer { off in
        for i in 0..<off.count { d[off[i]] = v[i] }
    }
}

@inline(__always)
private func accumulateLoop<T>(_: T.Type, _ values: Tensor, _ dst: Tensor, _ offsets: [Int], _ add: (T, T) -> T) {
    let v = values.pointer(as: T.self), d = dst.pointer(as: T.self)
    offsets.withUnsafeBufferPointer { off in
        for i in 0..<off.count { d[off[i]] = add(d[off[i]], v[i]) }
    }
}
