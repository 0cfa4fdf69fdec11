// Reduction over a set of dimensions: the layout split (kept dims × reduced dims) and the sum kernel.

/// The output shape and the two strided index spaces of a reduction over `dims`.
struct ReductionLayout {
    let outShape: [Int]          // with keepDim applied
    let keptShape: [Int], keptStrides: [Int]
    let reducedShape: [Int], reducedStrides: [Int]
    var reducedCount: Int { reducedShape.reduce(1, *) }
    var keptCount: Int { keptShape.reduce(1, *) }

    init(_ x: Tensor, dims: [Int], keepDim: Bool, op: String) {
        let rank = x.rank
        let ds = Set(dims.map { normalizeDim($0, rank, op: op) })
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
    }

    /// Calls `body(outIndex, baseOffset)` for each output element in row-major order.
    func forEachOutput(_ body: (Int, Int) -> Void) {
        var i = 0
        forEachRow2(keptShape, keptStrides, keptStrides) { o, _, n, s, _ in
            for j in 0..<n { body(i, o + j * s); i += 1 }
        }
        if keptShape.isEmpty && i == 0 { body(0, 0) }
    }

    /// The element offsets of one reduced block (relative to its base), row-major.
    var reducedOffsets: [Int] { elementOffsets(shape: reducedShape, strides: reducedStrides) }
}

/// Sums `x` over `dims` into a new tensor of `outType` (accumulating floats in Double, integers in Int64).
func sumKernel(_ x: Tensor, dims: [Int], keepDim: Bool, outType: DType) -> Tensor {
    let layout = ReductionLayout(x, dims: dims, keepDim: keepDim, op: "sum")
    let out = Tensor(empty: layout.outShape, dtype: outType)
    switch x.dtype {
    case .float32: sumTyped(Float.self, x, layout, out)
    case .float64: sumTyped(Double.self, x, layout, out)
    case .int64: sumTyped(Int64.self, x, layout, out)
    case .int32: sumTyped(Int32.self, x, layout, out)
    case .int16: sumTyped(Int16.self, x, layout, out)
    case .int8: sumTyped(Int8.self, x, layout, out)
    case .uint8: sumTyped(UInt8.self, x, layout, out)
    case .bool: sumTyped(Bool.self, x, layout, out)
    default: return sumKernel(x.to(.float32), dims: dims, keepDim: keepDim, outType: outType)
    }
    return out
}

private func sumTyped<T: TensorElement>(_: T.Type, _ x: Tensor, _ layout: ReductionLayout, _ out: Tensor) {
    let p = x.pointer(as: T.self)
    let isFloat = T.dtype.isFloatingPoint
    let count = layout.reducedCount
    func write(_ i: Int, _ v: Double, _ iv: Int64) {
        if isFloat { out.writeScalar(v, at: i) }
        else if out.dtype == .int64 { out.pointer(as: Int64.self)[i] = iv }
        else { out.writeScalar(Double(iv), at: i) }
    }
    // Contiguous full reduction: one pass.
    if layout.keptShape.isEmpty && x.isContiguous {
        if isFloat {
            var acc = 0.0
            for i in 0..<count { acc += p[i].asDouble }
            write(0, acc, 0)
        } else {
            var acc: Int64 = 0
            for i in 0..<count { acc &+= p[i].asInt64 }
            write(0, 0, acc)
        }
        return
    }
    if count <= 1 << 16 {
        let offs = layout.reducedOffsets
        layout.forEachOutput { i, base in
            let b = p + base
            if isFloat {
                var acc = 0.0
                for o in offs { acc += b[o].asDouble }
                write(i, acc, 0)
            } else {
                var acc: Int64 = 0
                for o in offs { acc &+= b[o].asInt64 }
                write(i, 0, acc)
            }
        }
    } else {
        layout.forEachOutput { i, base in
            var acc = 0.0, iacc: Int64 = 0
            forEachRow2(layout.reducedShape, layout.reducedStrides, layout.reducedStrides) { o, _, n, s, _ in
                let b = p + base + o
                if isFloat { for j in 0..<n { acc += b[j * s].asDouble } }
                else { for j in 0..<n { iacc &+= b[j * s].asInt64 } }
            }
            write(i, acc, iacc)
        }
    }
}
