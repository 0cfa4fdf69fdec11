// Copy and dtype conversion between strided tensors: the primitive under contiguous(), to(dtype:), and setitem.
import EmberKernels

/// Copies `src` (broadcast to `dst.shape`) into `dst`, converting dtypes like a C cast (PyTorch's `copy_`).
func copyElements(from src: Tensor, into dst: Tensor) {
    let srcStrides = broadcastStrides(of: src, to: dst.shape, op: "copy_")
    if src.dtype == dst.dtype {
        copySameType(src, srcStrides, dst)
        return
    }
    // Vectorized, multithreaded casts between contiguous tensors of one shape (float32 <-> float64, and
    // uint8 -> float32: the ToTensor path of image batches). Same values as the loops below.
    if src.shape == dst.shape && src.isContiguous && dst.isContiguous {
        let n = dst.numel
        switch (src.dtype, dst.dtype) {
        case (.float32, .float64): VectorMath.convert(src.pointer(as: Float.self), dst.pointer(as: Double.self), n); return
        case (.float64, .float32): VectorMath.convert(src.pointer(as: Double.self), dst.pointer(as: Float.self), n); return
        case (.uint8, .float32): VectorMath.convert(src.pointer(as: UInt8.self), dst.pointer(as: Float.self), n); return
        default: break
        }
    }
    switch src.dtype {
    case .bool: castFrom(Bool.self, src, srcStrides, dst)
    case .uint8: castFrom(UInt8.self, src, srcStrides, dst)
    case .int8: castFrom(Int8.self, src, srcStrides, dst)
    case .int16: castFrom(Int16.self, src, srcStrides, dst)
    case .int32: castFrom(Int32.self, src, srcStrides, dst)
    case .int64: castFrom(Int64.self, src, srcStrides, dst)
    case .float16: castFrom(Float16.self, src, srcStrides, dst)
    case .bfloat16: castFrom(BFloat16.self, src, srcStrides, dst)
    case .float32: castFrom(Float.self, src, srcStrides, dst)
    case .float64: castFrom(Double.self, src, srcStrides, dst)
    }
}

private func copySameType(_ src: Tensor, _ srcStrides: [Int], _ dst: Tensor) {
    switch src.dtype.itemSize {
    case 1: copyLoop(UInt8.self, src, srcStrides, dst)
    case 2: copyLoop(UInt16.self, src, srcStrides, dst)
    case 4: copyLoop(UInt32.self, src, srcStrides, dst)
    default: copyLoop(UInt64.self, src, srcStrides, dst)
    }
}

private func copyLoop<T>(_: T.Type, _ src: Tensor, _ srcStrides: [Int], _ dst: Tensor) {
    let s = src.pointer(as: T.self), d = dst.pointer(as: T.self)
    if dst.numel >= 4096 && tiledTransposeCopy(s, srcStrides, d, dst) { return }
    parallelForEachRow2(dst.shape, dst.strides, srcStrides) { od, os, n, sd, ss in
        if sd == 1 && ss == 1 {
            (d + od).update(from: s + os, count: n)
        } else {
            for i in 0..<n { d[od + i * sd] = s[os + i * ss] }
        }
    }
}

/// Copies a layout whose innermost destination dim is strided in the source while another dim is
/// unit-stride there (`t().contiguous()`, NCHW <-> NHWC permutes) in 32 x 32 tiles, so both sides are
/// touched a cache line at a time; tiles are split over the thread pool. False if the layout is not like that.
private func tiledTransposeCopy<T>(_ s: UnsafeMutablePointer<T>, _ srcStrides: [Int], _ d: UnsafeMutablePointer<T>,
                                   _ dst: Tensor) -> Bool {
    let (cs, st) = coalesce(dst.shape, [dst.strides, srcStrides])
    let r = cs.count
    guard r >= 2, st[0][r - 1] == 1, st[1][r - 1] != 1,
          let j = (0..<(r - 1)).last(where: { st[1][$0] == 1 }) else { return false }
    let rowsM = cs[j], cols = cs[r - 1]
    guard rowsM >= 8 && cols >= 8 else { return false }
    // Plane element (a, b): dst at a * dstRow + b, src at a + b * srcCol.
    let dstRow = st[0][j], srcCol = st[1][r - 1]
    var outer: [Int] = [], outerDst: [Int] = [], outerSrc: [Int] = []
    for k in 0..<(r - 1) where k != j { outer.append(cs[k]); outerDst.append(st[0][k]); outerSrc.append(st[1][k]) }
    let outerCount = outer.reduce(1, *)
    let tile = 32
    let rowBlocks = (rowsM + tile - 1) / tile
    ThreadPool.shared.parallelFor(outerCount * rowBlocks, minChunk: Swift.max(1, ThreadPool.minParallelChunk / (tile * cols))) { range in
        for item in range {
            var rem = item / rowBlocks, od = 0, os = 0
            for k in Swift.stride(from: outer.count - 1, through: 0, by: -1) {
                let i = rem % outer[k]
                rem /= outer[k]
                od += i * outerDst[k]; os += i * outerSrc[k]
            }
            let a0 = (item % rowBlocks) * tile, a1 = Swift.min(rowsM, a0 + tile)
            var b0 = 0
            while b0 < cols {
                let b1 = Swift.min(cols, b0 + tile)
                for a in a0..<a1 {
                    let drow = d + od + a * dstRow, srow = s + os + a
                    for b in b0..<b1 { drow[b] = srow[b * srcCol] }
                }
                b0 = b1
            }
        }
    }
    return true
}

private func castFrom<S: TensorElement>(_: S.Type, _ src: Tensor, _ srcStrides: [Int], _ dst: Tensor) {
    switch dst.dtype {
    case .bool: castLoop(S.self, Bool.self, src, srcStrides, dst)
    case .uint8: castLoop(S.self, UInt8.self, src, srcStrides, dst)
    case .int8: castLoop(S.self, Int8.self, src, srcStrides, dst)
    case .int16: castLoop(S.self, Int16.self, src, srcStrides, dst)
    case .int32: castLoop(S.self, Int32.self, src, srcStrides, dst)
    case .int64: castLoop(S.self, Int64.self, src, srcStrides, dst)
    case .float16: castLoop(S.self, Float16.self, src, srcStrides, dst)
    case .bfloat16: castLoop(S.self, BFloat16.self, src, srcStrides, dst)
    case .float32: castLoop(S.self, Float.self, src, srcStrides, dst)
    case .float64: castLoop(S.self, Double.self, src, srcStrides, dst)
    }
}

private func castLoop<S: TensorElement, D: TensorElement>(_: S.Type, _: D.Type, _ src: Tensor, _ srcStrides: [Int], _ dst: Tensor) {
    let s = src.pointer(as: S.self), d = dst.pointer(as: D.self)
    let viaInteger = S.dtype.category < 2
    forEachRow2(dst.shape, dst.strides, srcStrides) { od, os, n, sd, ss in
        if viaInteger {
            for i in 0..<n { d[od + i * sd] = D(fromInt64: s[os + i * ss].asInt64) }
        } else {
            for i in 0..<n { d[od + i * sd] = D(fromDouble: s[os + i * ss].asDouble) }
        }
    }
}

/// Strides that read `t` broadcast to `shape` (0 on expanded dims), or a PyTorch-style message if it cannot be.
func broadcastStrides(of t: Tensor, to shape: [Int], op: String) -> [Int] {
    let offset = shape.count - t.rank
    emberCheck(offset >= 0, op, "the expanded size of the tensor (\(shapeString(shape))) must have at least as many dimensions as the source \(shapeString(t.shape))")
    var out = [Int](repeating: 0, count: shape.count)
    for i in 0..<t.rank {
        let s = t.shape[i], target = shape[i + offset]
        if s == target { out[i + offset] = t.strides[i] }
        else if s == 1 { out[i + offset] = 0 }
        else {
            emberFail(op, "the size of tensor a (\(s)) must match the size of tensor b (\(target)) at non-singleton dimension \(i + offset); shapes \(shapeString(t.shape)) and \(shapeString(shape))")
        }
    }
    return out
}

/// The broadcast shape of two shapes (`torch.broadcast_shapes`), or a message naming the op and shapes.
///
/// - Parameters:
///   - a: The first shape.
///   - b: The second shape.
///   - op: The op named in the message when the shapes do not broadcast.
public func broadcastShapes(_ a: [Int], _ b: [Int], op: String) -> [Int] {
    let r = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
        let da = i < r - a.count ? 1 : a[i - (r - a.count)]
        let db = i < r - b.count ? 1 : b[i - (r - b.count)]
        if da == db || db == 1 { out[i] = da }
        else if da == 1 { out[i] = db }
        else {
            emberFail(op, "The size of tensor a (\(da)) must match the size of tensor b (\(db)) at non-singleton dimension \(i); shapes \(shapeString(a)) and \(shapeString(b))")
        }
    }
    return out
}

extension Tensor {
    /// Reads element `i` (a row-major index into this tensor's shape) as a Double. For tests and printing, not hot loops.
    public func scalarAt(_ flatIndex: Int) -> Double {
        var rem = flatIndex, off = 0
        for d in Swift.stride(from: rank - 1, through: 0, by: -1) {
            let s = shape[d]
            off += (rem % s) * strides[d]
            rem /= s
        }
        return readScalar(atOffset: off)
    }

    /// Reads the element at storage offset `storageOffset + off`.
    func readScalar(atOffset off: Int) -> Double {
        let p = rawPointer
        switch dtype {
        case .bool: return p.assumingMemoryBound(to: Bool.self)[off] ? 1 : 0
        case .uint8: return Double(p.assumingMemoryBound(to: UInt8.self)[off])
        case .int8: return Double(p.assumingMemoryBound(to: Int8.self)[off])
        case .int16: return Double(p.assumingMemoryBound(to: Int16.self)[off])
        case .int32: return Double(p.assumingMemoryBound(to: Int32.self)[off])
        case .int64: return Double(p.assumingMemoryBound(to: Int64.self)[off])
        case .float16: return p.assumingMemoryBound(to: Float16.self)[off].asDouble
        case .bfloat16: return p.assumingMemoryBound(to: BFloat16.self)[off].asDouble
        case .float32: return Double(p.assumingMemoryBound(to: Float.self)[off])
        case .float64: return p.assumingMemoryBound(to: Double.self)[off]
        }
    }

    /// Reads the element at storage offset `storageOffset + off` as Int64 (exact for int64).
    func readInt64(atOffset off: Int) -> Int64 {
        if dtype == .int64 { return rawPointer.assumingMemoryBound(to: Int64.self)[off] }
        if dtype == .int32 { return Int64(rawPointer.assumingMemoryBound(to: Int32.self)[off]) }
        return Int64(fromDouble: readScalar(atOffset: off))
    }

    /// Writes `value` (converted to `dtype`) at storage offset `storageOffset + off`.
    func writeScalar(_ value: Double, at off: Int) {
        let p = rawPointer
        switch dtype {
        case .bool: p.assumingMemoryBound(to: Bool.self)[off] = value != 0
        case .uint8: p.assumingMemoryBound(to: UInt8.self)[off] = UInt8(fromDouble: value)
        case .int8: p.assumingMemoryBound(to: Int8.self)[off] = Int8(fromDouble: value)
        case .int16: p.assumingMemoryBound(to: Int16.self)[off] = Int16(fromDouble: value)
        case .int32: p.assumingMemoryBound(to: Int32.self)[off] = Int32(fromDouble: value)
        case .int64: p.assumingMemoryBound(to: Int64.self)[off] = Int64(fromDouble: value)
        case .float16: p.assumingMemoryBound(to: Float16.self)[off] = Float16(fromDouble: value)
        case .bfloat16: p.assumingMemoryBound(to: BFloat16.self)[off] = BFloat16(fromDouble: value)
        case .float32: p.assumingMemoryBound(to: Float.self)[off] = Float(value)
        case .float64: p.assumingMemoryBound(to: Double.self)[off] = value
        }
    }
}
