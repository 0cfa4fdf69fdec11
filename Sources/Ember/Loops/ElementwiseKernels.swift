// Elementwise kernels with broadcasting: binary arithmetic, comparisons, and unary maps, per compute type.
import EmberKernels

/// Binary arithmetic ops sharing one broadcast loop.
enum BinaryOp { case add, sub, mul, div, pow, maximum, minimum }
/// Comparison ops; the output is bool.
enum CompareOp { case eq, ne, lt, le, gt, ge }

/// Applies `op` elementwise to `a` and `b` broadcast to `shape`, both already of dtype `ct`, into a new contiguous tensor.
func binaryKernel(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, shape: [Int], opName: String) -> Tensor {
    let ct = a.dtype
    let out = Tensor(empty: shape, dtype: ct)
    let sa = broadcastStrides(of: a, to: shape, op: opName), sb = broadcastStrides(of: b, to: shape, op: opName)
    switch ct {
    case .float32: binaryFloat32(op, a, sa, b, sb, out)
    case .float64: binaryFloat(Double.self, op, a, sa, b, sb, out)
    case .int64: binaryInt(Int64.self, op, a, sa, b, sb, out)
    case .int32: binaryInt(Int32.self, op, a, sa, b, sb, out)
    case .int16: binaryInt(Int16.self, op, a, sa, b, sb, out)
    case .int8: binaryInt(Int8.self, op, a, sa, b, sb, out)
    case .uint8: binaryInt(UInt8.self, op, a, sa, b, sb, out)
    default: emberFail(opName, "not implemented for \(ct)")
    }
    return out
}

/// float32 binary ops: rows whose operands are arrays or broadcast scalars (same shape, bias rows,
/// `[N, C] * [N, 1]` columns, `x * 0.5`) run the vectorized kernel; other strides the scalar loop.
/// Results equal the scalar loop's bit for bit. Big outputs are split over the thread pool.
private func binaryFloat32(_ op: BinaryOp, _ a: Tensor, _ sa: [Int], _ b: Tensor, _ sb: [Int], _ out: Tensor) {
    guard let kop = Tensor.vectorOp(op) else { binaryFloat(Float.self, op, a, sa, b, sb, out, parallel: true); return }
    let pa = a.pointer(as: Float.self), pb = b.pointer(as: Float.self), po = out.pointer(as: Float.self)
    parallelForEachRow3(out.shape, out.strides, sa, sb) { oo, oa, ob, n, so, ia, ib in
        if so == 1 && (ia == 0 || ia == 1) && (ib == 0 || ib == 1) && ia + ib > 0 && n > 1 {
            VectorMath.binary(kop, pa + oa, aStep: ia, pb + ob, bStep: ib, po + oo, n)
        } else {
            let o = po + oo, x = pa + oa, y = pb + ob
            for i in 0..<n { o[i * so] = scalarBinary(kop, x[i * ia], y[i * ib]) }
        }
    }
}

@inline(__always)
private func scalarBinary(_ op: VectorMath.Binary, _ x: Float, _ y: Float) -> Float {
    switch op {
    case .add: return x + y
    case .sub: return x - y
    case .mul: return x * y
    case .div: return x / y
    case .maximum: return (x.isNaN || y.isNaN) ? .nan : Swift.max(x, y)
    case .minimum: return (x.isNaN || y.isNaN) ? .nan : Swift.min(x, y)
    }
}

private func binaryFloat<T: FloatElement>(_: T.Type, _ op: BinaryOp, _ a: Tensor, _ sa: [Int], _ b: Tensor, _ sb: [Int], _ out: Tensor,
                                          parallel: Bool = true) {
    switch op {
    case .add: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { $0 + $1 }
    case .sub: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { $0 - $1 }
    case .mul: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { $0 * $1 }
    case .div: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { $0 / $1 }
    case .pow: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { y, e in e == 2 ? y * y : T.pow(y, e) }
    case .maximum: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { x, y in (x.isNaN || y.isNaN) ? T.nan : Swift.max(x, y) }
    case .minimum: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { x, y in (x.isNaN || y.isNaN) ? T.nan : Swift.min(x, y) }
    }
}

private func binaryInt<T: IntegerElement>(_: T.Type, _ op: BinaryOp, _ a: Tensor, _ sa: [Int], _ b: Tensor, _ sb: [Int], _ out: Tensor) {
    switch op {
    case .add: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { $0 &+ $1 }
    case .sub: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { $0 &- $1 }
    case .mul: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { $0 &* $1 }
    case .div: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { T.divide($0, $1) }
    case .pow: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { (x: T, e: T) -> T in
        if e < 0 { return x == 1 ? 1 : 0 }
        var r: T = 1, base = x, k = e
        while k > 0 { if k & 1 == 1 { r = r &* base }; base = base &* base; k >>= 1 }
        return r
    }
    case .maximum: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { Swift.max($0, $1) }
    case .minimum: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { Swift.min($0, $1) }
    }
}

/// The scalar broadcast loop. With `parallel`, rows of big outputs run on several threads, so `f` must
/// be pure (the op closures of this file are; callers' closures, as in `zipFloat`, run serially).
@inline(__always)
private func applyBinary<T, R>(_: T.Type, _ a: Tensor, _ sa: [Int], _ b: Tensor, _ sb: [Int], _ out: Tensor,
                               parallel: Bool = false, _ f: (T, T) -> R) {
    let pa = a.pointer(as: T.self), pb = b.pointer(as: T.self), po = out.pointer(as: R.self)
    func row(_ oo: Int, _ oa: Int, _ ob: Int, _ n: Int, _ so: Int, _ ia: Int, _ ib: Int) {
        let o = po + oo, x = pa + oa, y = pb + ob
        if so == 1 && ia == 1 && ib == 1 {
            for i in 0..<n { o[i] = f(x[i], y[i]) }
        } else if so == 1 && ia == 1 && ib == 0 {
            let yv = y[0]
            for i in 0..<n { o[i] = f(x[i], yv) }
        } else if so == 1 && ia == 0 && ib == 1 {
            let xv = x[0]
            for i in 0..<n { o[i] = f(xv, y[i]) }
        } else {
            for i in 0..<n { o[i * so] = f(x[i * ia], y[i * ib]) }
        }
    }
    if parallel { parallelForEachRow3(out.shape, out.strides, sa, sb, row) }
    else { forEachRow3(out.shape, out.strides, sa, sb, row) }
}

/// Compares `a` and `b` (same dtype) broadcast to `shape`, producing a bool tensor.
func compareKernel(_ op: CompareOp, _ a: Tensor, _ b: Tensor, shape: [Int], opName: String) -> Tensor {
    let out = Tensor(empty: shape, dtype: .bool)
    let sa = broadcastStrides(of: a, to: shape, op: opName), sb = broadcastStrides(of: b, to: shape, op: opName)
    switch a.dtype {
    case .float32: compareFloat32(op, a, sa, b, sb, out)
    case .float64: compareTyped(Double.self, op, a, sa, b, sb, out)
    case .int64: compareTyped(Int64.self, op, a, sa, b, sb, out)
    case .int32: compareTyped(Int32.self, op, a, sa, b, sb, out)
    case .int16: compareTyped(Int16.self, op, a, sa, b, sb, out)
    case .int8: compareTyped(Int8.self, op, a, sa, b, sb, out)
    case .uint8: compareTyped(UInt8.self, op, a, sa, b, sb, out)
    default: emberFail(opName, "not implemented for \(a.dtype)")
    }
    return out
}

/// float32 comparisons: array/broadcast-scalar rows run the vectorized kernel (same results as the loop).
private func compareFloat32(_ op: CompareOp, _ a: Tensor, _ sa: [Int], _ b: Tensor, _ sb: [Int], _ out: Tensor) {
    let kop: VectorMath.Comparison
    switch op {
    case .eq: kop = .eq
    case .ne: kop = .ne
    case .lt: kop = .lt
    case .le: kop = .le
    case .gt: kop = .gt
    case .ge: kop = .ge
    }
    let pa = a.pointer(as: Float.self), pb = b.pointer(as: Float.self), po = out.pointer(as: Bool.self)
    parallelForEachRow3(out.shape, out.strides, sa, sb) { oo, oa, ob, n, so, ia, ib in
        if so == 1 && (ia == 0 || ia == 1) && (ib == 0 || ib == 1) && ia + ib > 0 && n > 1 {
            VectorMath.compare(kop, pa + oa, aStep: ia, pb + ob, bStep: ib, po + oo, n)
        } else {
            let o = po + oo, x = pa + oa, y = pb + ob
            for i in 0..<n {
                let u = x[i * ia], v = y[i * ib]
                let r: Bool
                switch op {
                case .eq: r = u == v
                case .ne: r = u != v
                case .lt: r = u < v
                case .le: r = u <= v
                case .gt: r = u > v
                case .ge: r = u >= v
                }
                o[i * so] = r
            }
        }
    }
}

private func compareTyped<T: NumericElement>(_: T.Type, _ op: CompareOp, _ a: Tensor, _ sa: [Int], _ b: Tensor, _ sb: [Int], _ out: Tensor) {
    switch op {
    case .eq: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { (x: T, y: T) -> Bool in x == y }
    case .ne: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { (x: T, y: T) -> Bool in x != y }
    case .lt: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { (x: T, y: T) -> Bool in x < y }
    case .le: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { (x: T, y: T) -> Bool in x <= y }
    case .gt: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { (x: T, y: T) -> Bool in x > y }
    case .ge: applyBinary(T.self, a, sa, b, sb, out, parallel: true) { (x: T, y: T) -> Bool in x >= y }
    }
}

/// Maps every element of `x` (any layout) through `f` into a new contiguous tensor of dtype `R.dtype`.
@inline(__always)
func mapElements<T: TensorElement, R: TensorElement>(_ x: Tensor, _: T.Type, _: R.Type, _ f: (T) -> R) -> Tensor {
    let out = Tensor(empty: x.shape, dtype: R.dtype)
    let px = x.pointer(as: T.self), po = out.pointer(as: R.self)
    forEachRow2(x.shape, out.strides, x.strides) { oo, ox, n, so, sx in
        let o = po + oo, i0 = px + ox
        if so == 1 && sx == 1 { for i in 0..<n { o[i] = f(i0[i]) } }
        else { for i in 0..<n { o[i * so] = f(i0[i * sx]) } }
    }
    return out
}

/// Applies a floating-point map to `x` (float32 or float64), choosing the Swift type from the dtype.
@inline(__always)
func mapFloat(_ x: Tensor, _ opName: String, _ f32: (Float) -> Float, _ f64: (Double) -> Double) -> Tensor {
    switch x.dtype {
    case .float32: return mapElements(x, Float.self, Float.self, f32)
    case .float64: return mapElements(x, Double.self, Double.self, f64)
    default: emberFail(opName, "not implemented for \(x.dtype)")
    }
}

/// Combines two same-shaped float tensors elementwise with `f` (used by backward formulas that need a fused loop).
@inline(__always)
func zipFloat(_ a: Tensor, _ b: Tensor, _ opName: String, _ f32: (Float, Float) -> Float, _ f64: (Double, Double) -> Double) -> Tensor {
    let shape = broadcastShapes(a.shape, b.shape, op: opName)
    let out = Tensor(empty: shape, dtype: a.dtype)
    let sa = broadcastStrides(of: a, to: shape, op: opName), sb = broadcastStrides(of: b, to: shape, op: opName)
    switch a.dtype {
    case .float32: applyBinary(Float.self, a, sa, b, sb, out, f32)
    case .float64: applyBinary(Double.self, a, sa, b, sb, out, f64)
    default: emberFail(opName, "not implemented for \(a.dtype)")
    }
    return out
}

/// A float32 map by the vectorized kernel `op` into a new contiguous tensor, any input layout: strided
/// rows are gathered into a small buffer first, so every element goes through the same kernel. Big inputs
/// run on several threads.
func mapFloat32(_ x: Tensor, _ op: VectorMath.Unary) -> Tensor {
    let out = Tensor(empty: x.shape, dtype: .float32)
    let px = x.pointer(as: Float.self), po = out.pointer(as: Float.self)
    parallelForEachRow2(x.shape, out.strides, x.strides) { oo, ox, n, so, sx in
        if so == 1 && sx == 1 { VectorMath.unary(op, px + ox, po + oo, n); return }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { buffer in
            let b = buffer.baseAddress!
            var start = 0
            while start < n {
                let len = Swift.min(256, n - start)
                for i in 0..<len { b[i] = px[ox + (start + i) * sx] }
                VectorMath.unary(op, b, b, len)
                for i in 0..<len { po[oo + (start + i) * so] = b[i] }
                start += len
            }
        }
    }
    return out
}

/// The fused input gradient of relu/sigmoid/tanh from the output `y` and gradient `g` (float32, same
/// shape), equal bit for bit to the composed Tensor formula; nil when the layouts do not allow it.
func activationBackwardFloat32(_ op: VectorMath.Unary, _ g: Tensor, _ y: Tensor) -> Tensor? {
    guard g.dtype == .float32 && y.dtype == .float32 && g.shape == y.shape else { return nil }
    let gc = g.contiguous(), yc = y.contiguous()
    let out = Tensor(empty: y.shape, dtype: .float32)
    VectorMath.unaryBackward(op, gradient: gc.pointer(as: Float.self), output: yc.pointer(as: Float.self),
                             out.pointer(as: Float.self), out.numel)
    return out
}

/// The exact GELU's input gradient from its input `x` and gradient `g` (float32, same shape) in one pass
/// (`VectorMath.geluBackward`); nil when the dtypes or shapes do not allow it.
func geluBackwardFloat32(_ g: Tensor, _ x: Tensor) -> Tensor? {
    guard g.dtype == .float32 && x.dtype == .float32 && g.shape == x.shape else { return nil }
    let gc = g.contiguous(), xc = x.contiguous()
    let out = Tensor(empty: x.shape, dtype: .float32)
    VectorMath.geluBackward(gradient: gc.pointer(as: Float.self), input: xc.pointer(as: Float.self),
                            out.pointer(as: Float.self), out.numel)
    return out
}
