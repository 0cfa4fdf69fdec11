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
    // Vectorized, multithreaded fast path: same-shape contiguous float32 add/mul.
    if ct == .float32 && (op == .add || op == .mul) && a.shape == shape && b.shape == shape && a.isContiguous && b.isContiguous {
        let n = out.numel
        if op == .add { VectorMath.add(a.pointer(as: Float.self), b.pointer(as: Float.self), out.pointer(as: Float.self), n) }
        else { VectorMath.mul(a.pointer(as: Float.self), b.pointer(as: Float.self), out.pointer(as: Float.self), n) }
        return out
    }
    let sa = broadcastStrides(of: a, to: shape, op: opName), sb = broadcastStrides(of: b, to: shape, op: opName)
    switch ct {
    case .float32: binaryFloat(Float.self, op, a, sa, b, sb, out)
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

private func binaryFloat<T: FloatElement>(_: T.Type, _ op: BinaryOp, _ a: Tensor, _ sa: [Int], _ b: Tensor, _ sb: [Int], _ out: Tensor) {
    switch op {
    case .add: applyBinary(T.self, a, sa, b, sb, out) { $0 + $1 }
    case .sub: applyBinary(T.self, a, sa, b, sb, out) { $0 - $1 }
    case .mul: applyBinary(T.self, a, sa, b, sb, out) { $0 * $1 }
    case .div: applyBinary(T.self, a, sa, b, sb, out) { $0 / $1 }
    case .pow: applyBinary(T.self, a, sa, b, sb, out) { y, e in e == 2 ? y * y : T.pow(y, e) }
    case .maximum: applyBinary(T.self, a, sa, b, sb, out) { x, y in (x.isNaN || y.isNaN) ? T.nan : Swift.max(x, y) }
    case .minimum: applyBinary(T.self, a, sa, b, sb, out) { x, y in (x.isNaN || y.isNaN) ? T.nan : Swift.min(x, y) }
    }
}

private func binaryInt<T: IntegerElement>(_: T.Type, _ op: BinaryOp, _ a: Tensor, _ sa: [Int], _ b: Tensor, _ sb: [Int], _ out: Tensor) {
    switch op {
    case .add: applyBinary(T.self, a, sa, b, sb, out) { $0 &+ $1 }
    case .sub: applyBinary(T.self, a, sa, b, sb, out) { $0 &- $1 }
    case .mul: applyBinary(T.self, a, sa, b, sb, out) { $0 &* $1 }
    case .div: applyBinary(T.self, a, sa, b, sb, out) { T.divide($0, $1) }
    case .pow: applyBinary(T.self, a, sa, b, sb, out) { (x: T, e: T) -> T in
        if e < 0 { return x == 1 ? 1 : 0 }
        var r: T = 1, base = x, k = e
        while k > 0 { if k & 1 == 1 { r = r &* base }; base = base &* base; k >>= 1 }
        return r
    }
    case .maximum: applyBinary(T.self, a, sa, b, sb, out) { Swift.max($0, $1) }
    case .minimum: applyBinary(T.self, a, sa, b, sb, out) { Swift.min($0, $1) }
    }
}

@inline(__always)
private func applyBinary<T, R>(_: T.Type, _ a: Tensor, _ sa: [Int], _ b: Tensor, _ sb: [Int], _ out: Tensor, _ f: (T, T) -> R) {
    let pa = a.pointer(as: T.self), pb = b.pointer(as: T.self), po = out.pointer(as: R.self)
    forEachRow3(out.shape, out.strides, sa, sb) { oo, oa, ob, n, so, ia, ib in
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
}

/// Compares `a` and `b` (same dtype) broadcast to `shape`, producing a bool tensor.
func compareKernel(_ op: CompareOp, _ a: Tensor, _ b: Tensor, shape: [Int], opName: String) -> Tensor {
    let out = Tensor(empty: shape, dtype: .bool)
    let sa = broadcastStrides(of: a, to: shape, op: opName), sb = broadcastStrides(of: b, to: shape, op: opName)
    switch a.dtype {
    case .float32: compareTyped(Float.self, op, a, sa, b, sb, out)
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

private func compareTyped<T: NumericElement>(_: T.Type, _ op: CompareOp, _ a: Tensor, _ sa: [Int], _ b: Tensor, _ sb: [Int], _ out: Tensor) {
    switch op {
    case .eq: applyBinary(T.self, a, sa, b, sb, out) { (x: T, y: T) -> Bool in x == y }
    case .ne: applyBinary(T.self, a, sa, b, sb, out) { (x: T, y: T) -> Bool in x != y }
    case .lt: applyBinary(T.self, a, sa, b, sb, out) { (x: T, y: T) -> Bool in x < y }
    case .le: applyBinary(T.self, a, sa, b, sb, out) { (x: T, y: T) -> Bool in x <= y }
    case .gt: applyBinary(T.self, a, sa, b, sb, out) { (x: T, y: T) -> Bool in x > y }
    case .ge: applyBinary(T.self, a, sa, b, sb, out) { (x: T, y: T) -> Bool in x >= y }
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
