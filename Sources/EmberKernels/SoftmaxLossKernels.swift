// The fused log-softmax + NLL (cross-entropy) loss loops over [n, C, s] logits (plain softmax lives in core).
import Foundation

/// Float and Double with the elementary functions the softmax/loss kernels need.
public protocol KernelFloat: BinaryFloatingPoint {
    static func kernelExp(_ x: Self) -> Self
    static func kernelLog(_ x: Self) -> Self
}
extension Float: KernelFloat {
    @inlinable public static func kernelExp(_ x: Float) -> Float { Foundation.expf(x) }
    @inlinable public static func kernelLog(_ x: Float) -> Float { Foundation.logf(x) }
}
extension Double: KernelFloat {
    @inlinable public static func kernelExp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func kernelLog(_ x: Double) -> Double { Foundation.log(x) }
}

/// Fused classification-loss kernels over logits `[n, c, s]` (class dim in the middle) with int64 targets `[n, s]`.
public enum LossKernels {
    /// Cross-entropy with class-index targets: per-row loss
    /// `(1 − ε)·w[t]·(lse − x_t) + (ε / C)·Σ_k w_k·(lse − x_k)`, zero for `ignoreIndex` rows.
    /// Writes `loss[row]`, `lse[row]` (for backward) and returns the sum of `w[t]` over non-ignored rows
    /// (the mean's denominator). Returns the first out-of-range target through `badTarget` (then stops early).
    ///
    /// - Parameters:
    ///   - x: The logits (log-probabilities for NLL) `[n, c, s]`, contiguous.
    ///   - n: The batch size.
    ///   - c: The number of classes.
    ///   - s: Positions per sample (1 without spatial dimensions).
    ///   - targets: The class index of each (sample, position).
    ///   - weight: The weight per class, or nil for 1.
    ///   - ignoreIndex: A target value that contributes nothing.
    ///   - labelSmoothing: The share ε of the target mass spread over all classes.
    ///   - loss: The loss per (sample, position) (written).
    ///   - lse: The log-sum-exp per row (written by the forward, read by the backward).
    ///   - badTarget: Set to the first target outside `0..<c` (other than `ignoreIndex`), if any.
    @inlinable
    public static func crossEntropyForward<T: KernelFloat>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int, targets: UnsafePointer<Int64>,
                                                          weight: UnsafePointer<T>?, ignoreIndex: Int, labelSmoothing: Double,
                                                          loss: UnsafeMutablePointer<T>, lse: UnsafeMutablePointer<T>,
                                                          badTarget: inout Int64?) -> Double {
        var denominator = 0.0
        let eps = T(labelSmoothing), smooth = labelSmoothing > 0
        for b in 0..<n {
            for i in 0..<s {
                let row = b * s + i, base = b * c * s + i
                let t = Int(targets[row])
                if t == ignoreIndex { loss[row] = 0; lse[row] = 0; continue }
                if t < 0 || t >= c { badTarget = Int64(t); return 0 }
                var m = -T.infinity
                for k in 0..<c { let v = x[base + k * s]; if v > m || v.isNaN { m = v } }
                if m == -T.infinity { m = 0 }
                var sum: T = 0
                for k in 0..<c { sum += T.kernelExp(x[base + k * s] - m) }
                let l = m + T.kernelLog(sum)
                lse[row] = l
                let wt = (weight != nil ? weight.unsafelyUnwrapped[t] : 1)
                var value = wt * (l - x[base + t * s])
                if smooth {
                    var sm: T = 0
                    for k in 0..<c { sm += ((weight != nil ? weight.unsafelyUnwrapped[k] : 1)) * (l - x[base + k * s]) }
                    value = (1 - eps) * value + eps / T(c) * sm
                }
                loss[row] = value
                denominator += Double(wt)
            }
        }
        return denominator
    }

    /// Gradient of `crossEntropyForward` for logits: `gx_k = g_row · (p_k · A − a_k)` with
    /// `a_k = (1 − ε)·w[t]·[k = t] + (ε / C)·w_k`, `A = Σ a_k`; `rowGrad(row)` gives `g_row`.
    ///
    /// - Parameters:
    ///   - x: The logits (log-probabilities for NLL) `[n, c, s]`, contiguous.
    ///   - n: The batch size.
    ///   - c: The number of classes.
    ///   - s: Positions per sample (1 without spatial dimensions).
    ///   - targets: The class index of each (sample, position).
    ///   - weight: The weight per class, or nil for 1.
    ///   - ignoreIndex: A target value that contributes nothing.
    ///   - labelSmoothing: The share ε of the target mass spread over all classes.
    ///   - lse: The log-sum-exp per row (written by the forward, read by the backward).
    ///   - rowGrad: The gradient of each row's loss.
    ///   - rowGradStride: The step between rows in `rowGrad` (0: one value for all rows, as after a mean).
    ///   - gx: The gradient of `x` (overwritten).
    @inlinable
    public static func crossEntropyBackward<T: KernelFloat>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int, targets: UnsafePointer<Int64>,
                                                           weight: UnsafePointer<T>?, ignoreIndex: Int, labelSmoothing: Double,
                                                           lse: UnsafePointer<T>, rowGrad: UnsafePointer<T>, rowGradStride: Int,
                                                           _ gx: UnsafeMutablePointer<T>) {
        let eps = T(labelSmoothing)
        var sumW: T = 0
        for k in 0..<c { sumW += (weight != nil ? weight.unsafelyUnwrapped[k] : 1) }
        for b in 0..<n {
            for i in 0..<s {
                let row = b * s + i, base = b * c * s + i
                let t = Int(targets[row])
                if t == ignoreIndex {
                    for k in 0..<c { gx[base + k * s] = 0 }
                    continue
                }
                let g = rowGrad[row * rowGradStride], l = lse[row]
                let wt = (1 - eps) * ((weight != nil ? weight.unsafelyUnwrapped[t] : 1))
                let total = wt + eps / T(c) * sumW
                for k in 0..<c {
                    let p = T.kernelExp(x[base + k * s] - l)
                    var a = eps / T(c) * ((weight != nil ? weight.unsafelyUnwrapped[k] : 1))
                    if k == t { a += wt }
                    gx[base + k * s] = g * (p * total - a)
                }
            }
        }
    }

    /// NLL on log-probabilities: `loss[row] = −w[t]·x_t` (zero when ignored); returns Σ w[t] over kept rows.
    ///
    /// - Parameters:
    ///   - x: The logits (log-probabilities for NLL) `[n, c, s]`, contiguous.
    ///   - n: The batch size.
    ///   - c: The number of classes.
    ///   - s: Positions per sample (1 without spatial dimensions).
    ///   - targets: The class index of each (sample, position).
    ///   - weight: The weight per class, or nil for 1.
    ///   - ignoreIndex: A target value that contributes nothing.
    ///   - loss: The loss per (sample, position) (written).
    ///   - badTarget: Set to the first target outside `0..<c` (other than `ignoreIndex`), if any.
    @inlinable
    public static func nllForward<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int, targets: UnsafePointer<Int64>,
                                                         weight: UnsafePointer<T>?, ignoreIndex: Int,
                                                         loss: UnsafeMutablePointer<T>, badTarget: inout Int64?) -> Double {
        var denominator = 0.0
        for b in 0..<n {
            for i in 0..<s {
                let row = b * s + i
                let t = Int(targets[row])
                if t == ignoreIndex { loss[row] = 0; continue }
                if t < 0 || t >= c { badTarget = Int64(t); return 0 }
                let wt = (weight != nil ? weight.unsafelyUnwrapped[t] : 1)
                loss[row] = -wt * x[b * c * s + t * s + i]
                denominator += Double(wt)
            }
        }
        return denominator
    }

    /// Gradient of `nllForward`: `−w[t]·g_row` at the target class, zero elsewhere (`gx` is overwritten).
    ///
    /// - Parameters:
    ///   - n: The batch size.
    ///   - c: The number of classes.
    ///   - s: Positions per sample (1 without spatial dimensions).
    ///   - targets: The class index of each (sample, position).
    ///   - weight: The weight per class, or nil for 1.
    ///   - ignoreIndex: A target value that contributes nothing.
    ///   - rowGrad: The gradient of each row's loss.
    ///   - rowGradStride: The step between rows in `rowGrad` (0: one value for all rows, as after a mean).
    ///   - gx: The gradient of `x` (overwritten).
    @inlinable
    public static func nllBackward<T: BinaryFloatingPoint>(n: Int, c: Int, s: Int, targets: UnsafePointer<Int64>, weight: UnsafePointer<T>?,
                                                          ignoreIndex: Int, rowGrad: UnsafePointer<T>, rowGradStride: Int,
                                                          _ gx: UnsafeMutablePointer<T>) {
        gx.update(repeating: 0, count: n * c * s)
        for b in 0..<n {
            for i in 0..<s {
                let row = b * s + i
                let t = Int(targets[row])
                if t == ignoreIndex { continue }
                gx[b * c * s + t * s + i] = -((weight != nil ? weight.unsafelyUnwrapped[t] : 1)) * rowGrad[row * rowGradStride]
            }
        }
    }
}
