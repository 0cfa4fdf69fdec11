// Reduction over a set of dimensions: the layout split (kept dims × reduced dims), one shared reduction
import EmberKernels
// loop (`reduceBlocks`), and the sum / prod / max-min / variance / norm kernels built on it.
import Foundation

/// The output shape and the two strided index spaces of a reduction over `dims`.
struct ReductionLayout {
    let outShape: [Int]          // with keepDim applied
    let keptShape: [Int], keptStrides: [Int]
    let reducedShape: [Int], reducedStrides: [Int]
    /// The normalized reduced dims, ascending.
    let reducedDims: [Int]
    var reducedCount: Int { reducedShape.reduce(1, *) }
    var keptCount: Int { keptShape.reduce(1, *) }

    init(_ x: Tensor, dims: [Int], keepDim: Bool, op: String) {
        let rank = x.rank
        let normalized = dims.map { normalizeDim($0, rank, op: op) }
        let ds = Set(normalized)
        if ds.count != normalized.count, let d = normalized.first(where: { d in normalized.filter { $0 == d }.count > 1 }) {
            emberFail(op, "dim \(d) appears multiple times in the list of dims")
        }
        var outShape: [Int] = [], ks: [Int] = [], kst: [Int] = [], rs: [Int] = [], rst: [Int] = []
        for d in 0..<rank {
            if ds.contains(d) {
                rs.append(x.shape[d]); rst.append(x.strides[d])
                if keepDim { outShape.append(1) }
            } else {
                ks.append(x.shape[d]); kst.append(x.strides[d]); outShape.append(x.shape[d])
            }
        }
        self.outShape = outShape
        keptShape = ks; keptStrides = kst; reducedShape = rs; reducedStrides = rst
        reducedDims = ds.sorted()
    }

    /// Calls `body(outIndex, baseOffset)` for each output element in row-major order.
    func forEachOutput(_ body: (Int, Int) -> Void) {
        var i = 0
        forEachRow2(keptShape, keptStrides, keptStrides) { o, _, n, s, _ in
            for j in 0..<n { body(i, o + j * s); i += 1 }
        }
        if keptShape.isEmpty && i == 0 { body(0, 0) }
    }

    /// `forEachOutput` restricted to the outputs `range` (row-major indices), for splitting over threads.
    func forEachOutput(in range: Range<Int>, _ body: (Int, Int) -> Void) {
        if keptShape.isEmpty { if range.contains(0) { body(0, 0) }; return }
        let r = keptShape.count
        var idx = [Int](repeating: 0, count: r)
        var rem = range.lowerBound, off = 0
        for d in Swift.stride(from: r - 1, through: 0, by: -1) {
            idx[d] = rem % keptShape[d]
            rem /= keptShape[d]
            off += idx[d] * keptStrides[d]
        }
        for i in range {
            body(i, off)
            var d = r - 1
            while d >= 0 {
                idx[d] += 1
                off += keptStrides[d]
                if idx[d] < keptShape[d] { break }
                off -= keptStrides[d] * keptShape[d]
                idx[d] = 0
                d -= 1
            }
        }
    }

    /// The element offsets of one reduced block (relative to its base), row-major.
    var reducedOffsets: [Int] { elementOffsets(shape: reducedShape, strides: reducedStrides) }
}

/// One reduction: `start` seeds the accumulator from a block's first element, then `combine` folds every
/// element of the block (first included) in row-major order with its index in the block.
protocol ReduceOp {
    associatedtype Element
    associatedtype Accumulator
    func start(_ first: Element) -> Accumulator
    func combine(_ acc: inout Accumulator, _ x: Element, _ index: Int)
}

/// The shared reduction loop: runs `op` over every (non-empty) reduced block of `x`, whose element type
/// must be `R.Element`, and hands each result to `finish(outputIndex, accumulator)`.
/// With `parallel`, big reductions split their outputs over `ThreadPool.shared`: `finish` then runs
/// concurrently for different outputs and must only write output `outputIndex`.
@inline(__always)
func reduceBlocks<R: ReduceOp>(_ op: R, _ x: Tensor, _ layout: ReductionLayout, parallel: Bool = false,
                               _ finish: (Int, R.Accumulator) -> Void) {
    let outputs = layout.keptCount, perOutput = layout.reducedCount
    if outputs == 0 { return }
    if parallel && outputs >= 2 && outputs * perOutput > elementwiseParallelThreshold {
        ThreadPool.shared.parallelFor(outputs, minChunk: Swift.max(1, elementwiseMinChunk / Swift.max(1, perOutput))) { range in
            reduceBlockRange(op, x, layout, range, finish)
        }
    } else {
        reduceBlockRange(op, x, layout, 0..<outputs, finish)
    }
}

@inline(__always)
private func reduceBlockRange<R: ReduceOp>(_ op: R, _ x: Tensor, _ layout: ReductionLayout, _ range: Range<Int>,
                                           _ finish: (Int, R.Accumulator) -> Void) {
    let p = x.pointer(as: R.Element.self)
    let c = coalesce(layout.reducedShape, [layout.reducedStrides])
    if c.shape.count <= 1 {
        // One strided run per block: the common case (a single dim, or dims that merge).
        let n = c.shape.first ?? 1, s = c.strides[0].first ?? 0
        layout.forEachOutput(in: range) { i, base in
            let b = p + base
            var acc = op.start(b[0])
            if s == 1 { for j in 0..<n { op.combine(&acc, b[j], j) } }
            else { for j in 0..<n { op.combine(&acc, b[j * s], j) } }
            finish(i, acc)
        }
    } else if layout.reducedCount <= 1 << 16 {
        let offsets = layout.reducedOffsets
        offsets.withUnsafeBufferPointer { offs in
            layout.forEachOutput(in: range) { i, base in
                let b = p + base
                var acc = op.start(b[0])
                for j in 0..<offs.count { op.combine(&acc, b[offs[j]], j) }
                finish(i, acc)
            }
        }
    } else {
        layout.forEachOutput(in: range) { i, base in
            let b = p + base
            var acc = op.start(b[0])
            var j = 0
            forEachRow2(c.shape, c.strides[0], c.strides[0]) { o, _, n, s, _ in
                for k in 0..<n { op.combine(&acc, b[o + k * s], j); j += 1 }
            }
            finish(i, acc)
        }
    }
}

// MARK: Sum and product

/// Sum (or product) in a Double accumulator: floating inputs.
struct FoldDouble<T: TensorElement>: ReduceOp {
    let product: Bool
    @inline(__always) func start(_ first: T) -> Double { product ? 1 : 0 }
    @inline(__always) func combine(_ acc: inout Double, _ x: T, _ index: Int) {
        if product { acc *= x.asDouble } else { acc += x.asDouble }
    }
}

/// Sum (or product) in a wrapping Int64 accumulator: integer and bool inputs (PyTorch gives int64).
struct FoldInt<T: TensorElement>: ReduceOp {
    let product: Bool
    @inline(__always) func start(_ first: T) -> Int64 { product ? 1 : 0 }
    @inline(__always) func combine(_ acc: inout Int64, _ x: T, _ index: Int) {
        if product { acc = acc &* x.asInt64 } else { acc = acc &+ x.asInt64 }
    }
}

/// Sums `x` over `dims` into a new tensor of `outType` (accumulating floats in Double, integers in Int64).
func sumKernel(_ x: Tensor, dims: [Int], keepDim: Bool, outType: DType) -> Tensor {
    // Vectorized, multithreaded fast path: a full reduction of contiguous float32.
    if x.dtype == .float32 && outType == .float32 && x.isContiguous && Set(dims.map { normalizeDim($0, x.rank, op: "sum") }).count == x.rank {
        let out = Tensor(empty: keepDim ? [Int](repeating: 1, count: x.rank) : [], dtype: .float32)
        out.pointer(as: Float.self)[0] = VectorMath.sum(x.pointer(as: Float.self), x.numel)
        return out
    }
    if x.dtype == .float32 && outType == .float32 && x.isContiguous {
        let layout = ReductionLayout(x, dims: dims, keepDim: keepDim, op: "sum")
        if let out = sumFloat32Block(x, layout) { return out }
    }
    return foldKernel(x, dims: dims, keepDim: keepDim, outType: outType, product: false, op: "sum")
}

/// Vectorized, multithreaded sum of a contiguous float32 tensor whose kept dims form one block, so it reads
/// as `[R0, K, R1]` summed over R0 and R1: `sum(dim: 0)` of `[N, C]` (the bias gradient), `sum(dim: -1)`,
/// and `sumTo` of a per-channel gradient (`[N, C, H, W]` → `[C, 1, 1]`). Accumulates in Double like the
/// scalar loop (R1 == 1: in exactly its order). Nil when the layout does not have that form.
private func sumFloat32Block(_ x: Tensor, _ layout: ReductionLayout) -> Tensor? {
    if x.numel == 0 { return nil }
    let reduced = Set(layout.reducedDims)
    var r0 = 1, k = 1, r1 = 1, phase = 0  // 0: leading reduced dims, 1: kept block, 2: trailing reduced dims
    for d in 0..<x.rank where x.shape[d] != 1 {
        if reduced.contains(d) {
            if phase == 0 { r0 *= x.shape[d] } else { phase = 2; r1 *= x.shape[d] }
        } else {
            if phase == 2 { return nil }
            phase = 1
            k *= x.shape[d]
        }
    }
    let out = Tensor(empty: layout.outShape, dtype: .float32)
    let p = x.pointer(as: Float.self), po = out.pointer(as: Float.self)
    if r1 == 1 {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { acc in
            let a = acc.baseAddress!
            a.initialize(repeating: 0, count: k)
            VectorMath.addColumnSums(p, rows: r0, cols: k, ld: k, into: a)
            for c in 0..<k { po[c] = Float(a[c]) }
        }
        return out
    }
    // Blocks of kept indices [k0, k1): for each leading index, rows k0..<k1 of length r1 are contiguous.
    func work(_ k0: Int, _ k1: Int) {
        let count = k1 - k0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * count) { buffer in
            let acc = buffer.baseAddress!, part = acc + count
            acc.initialize(repeating: 0, count: count)
            part.initialize(repeating: 0, count: count)
            for i in 0..<r0 {
                VectorMath.rowSums(p + (i * k + k0) * r1, rows: count, n: r1, into: part)
                for c in 0..<count { acc[c] += part[c] }
            }
            for c in 0..<count { po[k0 + c] = Float(acc[c]) }
        }
    }
    if r0 * k * r1 > elementwiseParallelThreshold && k >= 2 {
        ThreadPool.shared.parallelFor(k, minChunk: Swift.max(1, elementwiseMinChunk / (r0 * r1))) { range in
            work(range.lowerBound, range.upperBound)
        }
    } else {
        work(0, k)
    }
    return out
}

/// Multiplies `x` over `dims` into a new tensor of `outType` (Double / Int64 accumulation, like `sumKernel`).
func prodKernel(_ x: Tensor, dims: [Int], keepDim: Bool, outType: DType) -> Tensor {
    foldKernel(x, dims: dims, keepDim: keepDim, outType: outType, product: true, op: "prod")
}

private func foldKernel(_ x: Tensor, dims: [Int], keepDim: Bool, outType: DType, product: Bool, op: String) -> Tensor {
    let layout = ReductionLayout(x, dims: dims, keepDim: keepDim, op: op)
    let out = Tensor(empty: layout.outShape, dtype: outType)
    switch x.dtype {
    case .float32: foldTyped(Float.self, x, layout, out, product)
    case .float64: foldTyped(Double.self, x, layout, out, product)
    case .int64: foldTyped(Int64.self, x, layout, out, product)
    case .int32: foldTyped(Int32.self, x, layout, out, product)
    case .int16: foldTyped(Int16.self, x, layout, out, product)
    case .int8: foldTyped(Int8.self, x, layout, out, product)
    case .uint8: foldTyped(UInt8.self, x, layout, out, product)
    case .bool: foldTyped(Bool.self, x, layout, out, product)
    case .float16, .bfloat16: foldTyped(Float.self, x.to(.float32), layout, out, product)
    }
    return out
}

private func foldTyped<T: TensorElement>(_: T.Type, _ x: Tensor, _ layout: ReductionLayout, _ out: Tensor, _ product: Bool) {
    let isFloat = T.dtype.isFloatingPoint
    // Results go through writeScalar (once per output) except int64 sums, which must stay exact.
    func write(_ i: Int, _ v: Double, _ iv: Int64) {
        if isFloat { out.writeScalar(v, at: i) }
        else if out.dtype == .int64 { out.pointer(as: Int64.self)[i] = iv }
        else { out.writeScalar(Double(iv), at: i) }
    }
    let p = x.pointer(as: T.self)
    let count = layout.reducedCount
    if count == 0 {
        for i in 0..<out.numel { write(i, product ? 1 : 0, product ? 1 : 0) }
        return
    }
    // Contiguous full reduction: one pass.
    if layout.keptShape.isEmpty && x.isContiguous {
        if isFloat {
            var acc = product ? 1.0 : 0.0
            if product { for i in 0..<count { acc *= p[i].asDouble } } else { for i in 0..<count { acc += p[i].asDouble } }
            write(0, acc, 0)
        } else {
            var acc: Int64 = product ? 1 : 0
            if product { for i in 0..<count { acc = acc &* p[i].asInt64 } } else { for i in 0..<count { acc = acc &+ p[i].asInt64 } }
            write(0, 0, acc)
        }
        return
    }
    // Contiguous input reduced over its leading dims (`sum(dim: 0)` of [N, C], batch statistics):
    // accumulate whole rows so memory is read in order instead of one column at a time.
    if x.isContiguous && layout.reducedDims == Array(0..<layout.reducedDims.count) && !product {
        let cols = layout.keptCount
        if isFloat {
            var acc = [Double](repeating: 0, count: cols)
            acc.withUnsafeMutableBufferPointer { a in
                for r in 0..<count { let row = p + r * cols; for c in 0..<cols { a[c] += row[c].asDouble } }
            }
            for c in 0..<cols { write(c, acc[c], 0) }
        } else {
            var acc = [Int64](repeating: 0, count: cols)
            acc.withUnsafeMutableBufferPointer { a in
                for r in 0..<count { let row = p + r * cols; for c in 0..<cols { a[c] = a[c] &+ row[c].asInt64 } }
            }
            for c in 0..<cols { write(c, 0, acc[c]) }
        }
        return
    }
    if isFloat { reduceBlocks(FoldDouble<T>(product: product), x, layout, parallel: true) { i, acc in write(i, acc, 0) } }
    else { reduceBlocks(FoldInt<T>(product: product), x, layout, parallel: true) { i, acc in write(i, 0, acc) } }
}

// MARK: Max and min with their index

/// Element types with an order (bool goes through uint8; half types through float32).
protocol OrderedElement: TensorElement, Comparable {
    var isNaNValue: Bool { get }
}
extension Float: OrderedElement { @inline(__always) var isNaNValue: Bool { isNaN } }
extension Double: OrderedElement { @inline(__always) var isNaNValue: Bool { isNaN } }
extension Int64: OrderedElement { @inline(__always) var isNaNValue: Bool { false } }
extension Int32: OrderedElement { @inline(__always) var isNaNValue: Bool { false } }
extension Int16: OrderedElement { @inline(__always) var isNaNValue: Bool { false } }
extension Int8: OrderedElement { @inline(__always) var isNaNValue: Bool { false } }
extension UInt8: OrderedElement { @inline(__always) var isNaNValue: Bool { false } }

/// Running max (or min) and the index of its first occurrence; a NaN wins and stays, as in PyTorch.
struct ExtremumOp<T: OrderedElement>: ReduceOp {
    let isMax: Bool
    @inline(__always) func start(_ first: T) -> (value: T, index: Int) { (first, 0) }
    @inline(__always) func combine(_ acc: inout (value: T, index: Int), _ x: T, _ index: Int) {
        if acc.value.isNaNValue { return }
        if (isMax ? x > acc.value : x < acc.value) || x.isNaNValue { acc = (x, index) }
    }
}

/// Max (or min) of `x` over `dims` with the dtype of `x`, and optionally the int64 index of the first
/// extremum in each reduced block (row-major over the reduced dims). The blocks must not be empty.
func extremumKernel(_ x: Tensor, dims: [Int], keepDim: Bool, isMax: Bool, wantIndices: Bool, op: String) -> (values: Tensor, indices: Tensor?) {
    let layout = ReductionLayout(x, dims: dims, keepDim: keepDim, op: op)
    let ct: DType
    switch x.dtype {
    case .bool: ct = .uint8
    case .float16, .bfloat16: ct = .float32
    default: ct = x.dtype
    }
    let src = x.to(ct)
    let values = Tensor(empty: layout.outShape, dtype: ct)
    let indices = wantIndices ? Tensor(empty: layout.outShape, dtype: .int64) : nil
    switch ct {
    case .float32: extremumTyped(Float.self, src, layout, isMax, values, indices)
    case .float64: extremumTyped(Double.self, src, layout, isMax, values, indices)
    case .int64: extremumTyped(Int64.self, src, layout, isMax, values, indices)
    case .int32: extremumTyped(Int32.self, src, layout, isMax, values, indices)
    case .int16: extremumTyped(Int16.self, src, layout, isMax, values, indices)
    case .int8: extremumTyped(Int8.self, src, layout, isMax, values, indices)
    default: extremumTyped(UInt8.self, src, layout, isMax, values, indices)
    }
    return (ct == x.dtype ? values : values.to(x.dtype), indices)
}

private func extremumTyped<T: OrderedElement>(_: T.Type, _ x: Tensor, _ layout: ReductionLayout, _ isMax: Bool,
                                              _ values: Tensor, _ indices: Tensor?) {
    let pv = values.pointer(as: T.self)
    if let indices = indices {
        let pi = indices.pointer(as: Int64.self)
        reduceBlocks(ExtremumOp<T>(isMax: isMax), x, layout, parallel: true) { i, acc in pv[i] = acc.value; pi[i] = Int64(acc.index) }
    } else {
        reduceBlocks(ExtremumOp<T>(isMax: isMax), x, layout, parallel: true) { i, acc in pv[i] = acc.value }
    }
}

// MARK: Variance and vector norms (floating point only)

/// Welford's running mean and sum of squared deviations, in Double (stable in one pass, as PyTorch does).
struct WelfordOp<T: TensorElement>: ReduceOp {
    @inline(__always) func start(_ first: T) -> (n: Double, mean: Double, m2: Double) { (0, 0, 0) }
    @inline(__always) func combine(_ acc: inout (n: Double, mean: Double, m2: Double), _ x: T, _ index: Int) {
        let v = x.asDouble
        acc.n += 1
        let delta = v - acc.mean
        acc.mean += delta / acc.n
        acc.m2 += delta * (v - acc.mean)
    }
}

/// Variance of `x` (float32/float64) over `dims`: sum of squared deviations / (N - correction), like PyTorch
/// (N - correction <= 0 gives inf or NaN rather than an error).
func varianceKernel(_ x: Tensor, dims: [Int], keepDim: Bool, correction: Double, op: String) -> Tensor {
    let layout = ReductionLayout(x, dims: dims, keepDim: keepDim, op: op)
    let out = Tensor(empty: layout.outShape, dtype: x.dtype)
    let denominator = Swift.max(0, Double(layout.reducedCount) - correction)
    if layout.reducedCount == 0 {
        for i in 0..<out.numel { out.writeScalar(.nan, at: i) }
    } else if x.dtype == .float64 {
        reduceBlocks(WelfordOp<Double>(), x, layout, parallel: true) { i, acc in out.writeScalar(acc.m2 / denominator, at: i) }
    } else {
        reduceBlocks(WelfordOp<Float>(), x, layout, parallel: true) { i, acc in out.writeScalar(acc.m2 / denominator, at: i) }
    }
    return out
}

/// Accumulates `|x|^p` (p = 1, 2, general), `max|x|` (+inf), `min|x|` (-inf) or the nonzero count (p = 0).
struct NormOp<T: TensorElement>: ReduceOp {
    let p: Double
    @inline(__always) func start(_ first: T) -> Double { p == -.infinity ? .infinity : 0 }
    @inline(__always) func combine(_ acc: inout Double, _ x: T, _ index: Int) {
        let a = Swift.abs(x.asDouble)
        if p == 2 { acc += a * a }
        else if p == 1 { acc += a }
        else if p == .infinity { if a.isNaN || a > acc { acc = a } }     // once NaN, no comparison is true
        else if p == -.infinity { if a.isNaN || a < acc { acc = a } }
        else if p == 0 { acc += a != 0 ? 1 : 0 }
        else { acc += Foundation.pow(a, p) }
    }
}

/// The vector p-norm of `x` (float32/float64) over `dims` (`torch.linalg.vector_norm`).
func normKernel(_ x: Tensor, p: Double, dims: [Int], keepDim: Bool, op: String) -> Tensor {
    let layout = ReductionLayout(x, dims: dims, keepDim: keepDim, op: op)
    let out = Tensor(empty: layout.outShape, dtype: x.dtype)
    func finish(_ i: Int, _ acc: Double) {
        let v: Double
        if p == 2 { v = acc.squareRoot() }
        else if p == 1 || p == 0 || p.isInfinite { v = acc }
        else { v = Foundation.pow(acc, 1 / p) }
        out.writeScalar(v, at: i)
    }
    if layout.reducedCount == 0 {
        emberCheck(p >= 0 && !p.isInfinite, op, "Expected a non-empty tensor for an infinity norm or a negative p")
        for i in 0..<out.numel { out.writeScalar(0, at: i) }
    } else if x.dtype == .float64 {
        reduceBlocks(NormOp<Double>(p: p), x, layout, parallel: true, finish)
    } else {
        reduceBlocks(NormOp<Float>(p: p), x, layout, parallel: true, finish)
    }
    return out
}
