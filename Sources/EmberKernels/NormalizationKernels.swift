// Batch-norm ([N, C, S] per-channel) and layer-norm ([M, D] per-row) loops: statistics, transform, fused backward.

/// Normalization kernels on contiguous buffers; statistics accumulate in Double (as PyTorch's CPU kernels do).
/// (Optional weights are read with `!= nil` tests, not `Optional.map` closures: closures in generic code are
/// not specialized and cost a call per element.)
public enum NormalizationKernels {
    /// Per-channel mean and biased variance of `x` laid out `[n, c, s]`.
    @inlinable
    public static func channelStats<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                                           mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>) {
        let count = Double(n * s)
        for ch in 0..<c {
            var sum = 0.0
            for i in 0..<n { let row = x + (i * c + ch) * s; for j in 0..<s { sum += Double(row[j]) } }
            let m = sum / count
            var sq = 0.0
            for i in 0..<n { let row = x + (i * c + ch) * s; for j in 0..<s { let d = Double(row[j]) - m; sq += d * d } }
            mean[ch] = m
            variance[ch] = sq / count
        }
    }

    /// `y = (x − mean) · invstd · weight + bias` per channel; nil weight/bias mean 1/0.
    @inlinable
    public static func channelTransform<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                                               mean: UnsafePointer<Double>, invstd: UnsafePointer<Double>,
                                                               weight: UnsafePointer<T>?, bias: UnsafePointer<T>?, _ y: UnsafeMutablePointer<T>) {
        for ch in 0..<c {
            let scale = invstd[ch] * (weight != nil ? Double(weight.unsafelyUnwrapped[ch]) : 1)
            let shift = (bias != nil ? Double(bias.unsafelyUnwrapped[ch]) : 0) - mean[ch] * scale
            let a = T(scale), b = T(shift)
            for i in 0..<n {
                let src = x + (i * c + ch) * s, dst = y + (i * c + ch) * s
                for j in 0..<s { dst[j] = src[j] * a + b }
            }
        }
    }

    /// Fused batch-norm backward. With `training`, the batch statistics depend on `x`, which adds the
    /// two mean-correction terms; in eval mode `gradInput = gradOutput · weight · invstd`.
    /// Any of the gradient outputs may be nil (not needed).
    @inlinable
    public static func channelBackward<T: BinaryFloatingPoint>(gradOutput gy: UnsafePointer<T>, input x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                                              mean: UnsafePointer<Double>, invstd: UnsafePointer<Double>,
                                                              weight: UnsafePointer<T>?, training: Bool,
                                                              gradInput: UnsafeMutablePointer<T>?, gradWeight: UnsafeMutablePointer<T>?,
                                                              gradBias: UnsafeMutablePointer<T>?) {
        let count = Double(n * s)
        for ch in 0..<c {
            let m = mean[ch], istd = invstd[ch]
            var sumG = 0.0, sumGX = 0.0
            for i in 0..<n {
                let g = gy + (i * c + ch) * s, xr = x + (i * c + ch) * s
                for j in 0..<s { let gv = Double(g[j]); sumG += gv; sumGX += gv * (Double(xr[j]) - m) }
            }
            let sumGXhat = sumGX * istd
            gradWeight?[ch] = T(sumGXhat)
            gradBias?[ch] = T(sumG)
            guard let gx = gradInput else { continue }
            let w = weight != nil ? Double(weight.unsafelyUnwrapped[ch]) : 1
            let k = w * istd
            if training {
                // gx = k · (gy − mean(gy) − xhat · mean(gy · xhat)), xhat = (x − m) · istd
                let meanG = sumG / count, proj = sumGXhat / count * istd
                for i in 0..<n {
                    let g = gy + (i * c + ch) * s, xr = x + (i * c + ch) * s, d = gx + (i * c + ch) * s
                    for j in 0..<s { d[j] = T(k * (Double(g[j]) - meanG - (Double(xr[j]) - m) * proj)) }
                }
            } else {
                let kt = T(k)
                for i in 0..<n {
                    let g = gy + (i * c + ch) * s, d = gx + (i * c + ch) * s
                    for j in 0..<s { d[j] = g[j] * kt }
                }
            }
        }
    }

    /// Layer-norm forward over rows of length `d`: writes `y` and each row's mean and `1 / sqrt(var + eps)`.
    @inlinable
    public static func rowForward<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, rows: Int, d: Int, eps: Double,
                                                         weight: UnsafePointer<T>?, bias: UnsafePointer<T>?, _ y: UnsafeMutablePointer<T>,
                                                         mean: UnsafeMutablePointer<Double>, rstd: UnsafeMutablePointer<Double>) {
        for r in 0..<rows {
            let src = x + r * d, dst = y + r * d
            var sum = 0.0
            for j in 0..<d { sum += Double(src[j]) }
            let m = sum / Double(d)
            var sq = 0.0
            for j in 0..<d { let v = Double(src[j]) - m; sq += v * v }
            let rs = 1 / (sq / Double(d) + eps).squareRoot()
            mean[r] = m; rstd[r] = rs
            for j in 0..<d {
                var v = (Double(src[j]) - m) * rs
                if let w = weight { v *= Double(w[j]) }
                if let b = bias { v += Double(b[j]) }
                dst[j] = T(v)
            }
        }
    }

    /// Layer-norm backward; `gradWeight`/`gradBias` are overwritten with sums over rows.
    @inlinable
    public static func rowBackward<T: BinaryFloatingPoint>(gradOutput gy: UnsafePointer<T>, input x: UnsafePointer<T>, rows: Int, d: Int,
                                                          mean: UnsafePointer<Double>, rstd: UnsafePointer<Double>, weight: UnsafePointer<T>?,
                                                          gradInput: UnsafeMutablePointer<T>?, gradWeight: UnsafeMutablePointer<T>?,
                                                          gradBias: UnsafeMutablePointer<T>?) {
        var accW = [Double](repeating: 0, count: gradWeight == nil ? 0 : d)
        var accB = [Double](repeating: 0, count: gradBias == nil ? 0 : d)
        for r in 0..<rows {
            let g = gy + r * d, xr = x + r * d
            let m = mean[r], rs = rstd[r]
            var a = 0.0, b = 0.0
            for j in 0..<d {
                let xhat = (Double(xr[j]) - m) * rs
                let gv = Double(g[j])
                if !accW.isEmpty { accW[j] += gv * xhat }
                if !accB.isEmpty { accB[j] += gv }
                let gw = gv * (weight != nil ? Double(weight.unsafelyUnwrapped[j]) : 1)
                a += gw; b += gw * xhat
            }
            guard let gx = gradInput else { continue }
            let dst = gx + r * d, inv = 1 / Double(d)
            for j in 0..<d {
                let xhat = (Double(xr[j]) - m) * rs
                let gw = Double(g[j]) * (weight != nil ? Double(weight.unsafelyUnwrapped[j]) : 1)
                dst[j] = T(rs * (gw - a * inv - xhat * b * inv))
            }
        }
        if let gw = gradWeight { for j in 0..<d { gw[j] = T(accW[j]) } }
        if let gb = gradBias { for j in 0..<d { gb[j] = T(accB[j]) } }
    }
}
