// Fused softmax / log-softmax along one dimension: the max-shifted forward and the first-order backward.
import Foundation
import EmberKernels

/// Softmax (or log-softmax when `log`) of `x` (float32 or float64, any layout) along `dim`, into a new
/// contiguous tensor. Each lane is shifted by its max, so logits like 1000 do not overflow.
/// float32 along the last (contiguous) dim runs the vectorized row kernel, rows split over the thread pool.
func softmaxKernel(_ x: Tensor, dim: Int, log: Bool) -> Tensor {
    let src = x.contiguous()
    let out = Tensor(empty: x.shape, dtype: x.dtype)
    let split = splitAround(x.shape, dim)
    if x.dtype == .float32 && split.inner == 1 {
        VectorMath.softmaxRows(src.pointer(as: Float.self), out.pointer(as: Float.self), rows: split.outer, n: split.n, log: log)
    } else if x.dtype == .float64 {
        softmaxForward(src.pointer(as: Double.self), out.pointer(as: Double.self), split, log)
    } else {
        softmaxForward(src.pointer(as: Float.self), out.pointer(as: Float.self), split, log)
    }
    return out
}

/// The input gradient of softmax, `y * (g - sum(g * y))`, or of log-softmax, `g - exp(y) * sum(g)`, along
/// `dim`, given the forward output `y` and the output gradient `g`. Not differentiable: for `createGraph`
/// the callers compose the same formula from Tensor ops.
func softmaxBackwardKernel(_ g: Tensor, _ y: Tensor, dim: Int, log: Bool) -> Tensor {
    let gc = g.to(y.dtype).contiguous(), yc = y.contiguous()
    let out = Tensor(empty: y.shape, dtype: y.dtype)
    let split = splitAround(y.shape, dim)
    if y.dtype == .float32 && split.inner == 1 {
        VectorMath.softmaxBackwardRows(gradient: gc.pointer(as: Float.self), output: yc.pointer(as: Float.self),
                                       out.pointer(as: Float.self), rows: split.outer, n: split.n, log: log)
    } else if y.dtype == .float64 {
        softmaxBackward(gc.pointer(as: Double.self), yc.pointer(as: Double.self), out.pointer(as: Double.self), split, log)
    } else {
        softmaxBackward(gc.pointer(as: Float.self), yc.pointer(as: Float.self), out.pointer(as: Float.self), split, log)
    }
    return out
}

private func softmaxForward<T: FloatElement>(_ p: UnsafeMutablePointer<T>, _ q: UnsafeMutablePointer<T>,
                                            _ split: (outer: Int, n: Int, inner: Int), _ log: Bool) {
    let (outer, n, inner) = split
    if n == 0 { return }
    if inner == 1 {
        // The hot case ([batch, classes] along the last dim): each lane is a contiguous row.
        for o in 0..<outer {
            let x = p + o * n, y = q + o * n
            var m = -T.infinity
            for k in 0..<n where x[k] > m { m = x[k] }
            var s = 0.0
            if log {
                for k in 0..<n { s += T.exp(x[k] - m).asDouble }
                let ls = T(fromDouble: Foundation.log(s))
                for k in 0..<n { y[k] = (x[k] - m) - ls }
            } else {
                for k in 0..<n { let e = T.exp(x[k] - m); y[k] = e; s += e.asDouble }
                let inv = T(fromDouble: 1 / s)
                for k in 0..<n { y[k] = y[k] * inv }
            }
        }
        return
    }
    // Lanes strided by `inner`: sweep whole rows of `inner` elements so memory is read in order.
    var mBuf = [T](repeating: 0, count: inner), sBuf = [Double](repeating: 0, count: inner)
    mBuf.withUnsafeMutableBufferPointer { m in
        sBuf.withUnsafeMutableBufferPointer { s in
            for o in 0..<outer {
                let x = p + o * n * inner, y = q + o * n * inner
                for i in 0..<inner { m[i] = -T.infinity; s[i] = 0 }
                for k in 0..<n { let row = x + k * inner; for i in 0..<inner where row[i] > m[i] { m[i] = row[i] } }
                for k in 0..<n {
                    let row = x + k * inner, yrow = y + k * inner
                    for i in 0..<inner { let e = T.exp(row[i] - m[i]); if !log { yrow[i] = e }; s[i] += e.asDouble }
                }
                if log {
                    for i in 0..<inner { s[i] = Foundation.log(s[i]) }
                    for k in 0..<n {
                        let row = x + k * inner, yrow = y + k * inner
                        for i in 0..<inner { yrow[i] = (row[i] - m[i]) - T(fromDouble: s[i]) }
                    }
                } else {
                    for i in 0..<inner { s[i] = 1 / s[i] }
                    for k in 0..<n {
                        let yrow = y + k * inner
                        for i in 0..<inner { yrow[i] = yrow[i] * T(fromDouble: s[i]) }
                    }
                }
            }
        }
    }
}

private func softmaxBackward<T: FloatElement>(_ g: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ gx: UnsafeMutablePointer<T>,
                                             _ split: (outer: Int, n: Int, inner: Int), _ log: Bool) {
    let (outer, n, inner) = split
    if n == 0 { return }
    if inner == 1 {
        for o in 0..<outer {
            let gr = g + o * n, yr = y + o * n, xr = gx + o * n
            var acc = 0.0
            if log {
                for k in 0..<n { acc += gr[k].asDouble }
                let s = T(fromDouble: acc)
                for k in 0..<n { xr[k] = gr[k] - T.exp(yr[k]) * s }
            } else {
                for k in 0..<n { acc += (gr[k] * yr[k]).asDouble }
                let s = T(fromDouble: acc)
                for k in 0..<n { xr[k] = yr[k] * (gr[k] - s) }
            }
        }
        return
    }
    // s = sum(g * y) for softmax, sum(g) for log-softmax, per lane.
    var sBuf = [Double](repeating: 0, count: inner)
    sBuf.withUnsafeMutableBufferPointer { s in
        for o in 0..<outer {
            let base = o * n * inner
            for i in 0..<inner { s[i] = 0 }
            for k in 0..<n {
                let r = base + k * inner
                if log { for i in 0..<inner { s[i] += g[r + i].asDouble } }
                else { for i in 0..<inner { s[i] += (g[r + i] * y[r + i]).asDouble } }
            }
            for k in 0..<n {
                let r = base + k * inner
                if log { for i in 0..<inner { gx[r + i] = g[r + i] - T.exp(y[r + i]) * T(fromDouble: s[i]) } }
                else { for i in 0..<inner { gx[r + i] = y[r + i] * (g[r + i] - T(fromDouble: s[i])) } }
            }
        }
    }
}
