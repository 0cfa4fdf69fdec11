// Batch-norm ([N, C, S] per-channel) and layer-norm ([M, D] per-row) loops: statistics, transform, fused backward.
import CEmberKernels

/// Normalization kernels on contiguous buffers; statistics accumulate in Double (as PyTorch's CPU kernels do).
/// Batch norm over planes of at most `smallPlane` elements takes the loops of `NormalizationKernels+SmallPlanes`.
/// (Optional weights are read with `!= nil` tests, not `Optional.map` closures: closures in generic code are
/// not specialized and cost a call per element.)
public enum NormalizationKernels {
    /// Channels per task so that a task visits at least ~16k elements (a pool wake-up costs microseconds).
    @inlinable
    static func minChannels(_ perChannel: Int) -> Int { Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, perChannel)) }

    /// `Σ row[j]` in Double with four independent partial sums (one chain would wait on every add).
    @inlinable
    static func rowSum<T: BinaryFloatingPoint>(_ row: UnsafePointer<T>, _ count: Int) -> Double {
        var a = 0.0, b = 0.0, c = 0.0, d = 0.0, j = 0
        while j &+ 4 <= count {
            a += Double(row[j]); b += Double(row[j &+ 1]); c += Double(row[j &+ 2]); d += Double(row[j &+ 3])
            j &+= 4
        }
        while j < count { a += Double(row[j]); j &+= 1 }
        return (a + b) + (c + d)
    }

    /// `Σ (row[j] − m)²` in Double with four partial sums.
    @inlinable
    static func rowSquaredDeviation<T: BinaryFloatingPoint>(_ row: UnsafePointer<T>, _ count: Int, _ m: Double) -> Double {
        var a = 0.0, b = 0.0, c = 0.0, d = 0.0, j = 0
        while j &+ 4 <= count {
            let u = Double(row[j]) - m, v = Double(row[j &+ 1]) - m, w = Double(row[j &+ 2]) - m, x = Double(row[j &+ 3]) - m
            a += u * u; b += v * v; c += w * w; d += x * x
            j &+= 4
        }
        while j < count { let u = Double(row[j]) - m; a += u * u; j &+= 1 }
        return (a + b) + (c + d)
    }

    /// The gradient and input as float pointers when `T` is Float (their rows then go through the C loops).
    @inlinable
    static func floatRows<T>(_ g: UnsafePointer<T>, _ x: UnsafePointer<T>, _: T.Type) -> (UnsafePointer<Float>, UnsafePointer<Float>)? {
        guard T.self == Float.self else { return nil }
        return (UnsafeRawPointer(g).assumingMemoryBound(to: Float.self), UnsafeRawPointer(x).assumingMemoryBound(to: Float.self))
    }

    /// `(Σ g[j], Σ g[j] · (x[j] − m))` in Double with two partial sums each.
    @inlinable
    static func rowGradSums<T: BinaryFloatingPoint>(_ g: UnsafePointer<T>, _ x: UnsafePointer<T>, _ count: Int, _ m: Double) -> (Double, Double) {
        var g0 = 0.0, g1 = 0.0, p0 = 0.0, p1 = 0.0, j = 0
        while j &+ 2 <= count {
            let a = Double(g[j]), b = Double(g[j &+ 1])
            g0 += a; g1 += b
            p0 += a * (Double(x[j]) - m); p1 += b * (Double(x[j &+ 1]) - m)
            j &+= 2
        }
        if j < count { let a = Double(g[j]); g0 += a; p0 += a * (Double(x[j]) - m) }
        return (g0 + g1, p0 + p1)
    }

    /// Per-channel mean and biased variance of `x` laid out `[n, c, s]` (two passes, as PyTorch; channels
    /// split over the thread pool).
    ///
    /// - Parameters:
    ///   - x: The input, laid out `[n, c, s]` (channel ops) or `rows × d` (row ops).
    ///   - n: The batch size.
    ///   - c: The number of channels.
    ///   - s: Elements per channel and sample (spatial size).
    ///   - mean: The mean per channel (or per row).
    ///   - variance: The biased variance per channel (written).
    @inlinable
    public static func channelStats<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                                           mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>) {
        if s <= smallPlane { return smallPlaneStats(x, n: n, c: c, s: s, mean: mean, variance: variance) }
        let count = Double(n * s)
        ThreadPool.shared.parallelFor(c, minChunk: minChannels(2 * n * s)) { range in
            for ch in range {
                var sum = 0.0
                for i in 0..<n { sum += rowSum(x + (i * c + ch) * s, s) }
                let m = sum / count
                var sq = 0.0
                for i in 0..<n { sq += rowSquaredDeviation(x + (i * c + ch) * s, s, m) }
                mean[ch] = m
                variance[ch] = sq / count
            }
        }
    }

    /// `y = (x − mean) · invstd · weight + bias` per channel; nil weight/bias mean 1/0.
    ///
    /// - Parameters:
    ///   - x: The input, laid out `[n, c, s]` (channel ops) or `rows × d` (row ops).
    ///   - n: The batch size.
    ///   - c: The number of channels.
    ///   - s: Elements per channel and sample (spatial size).
    ///   - mean: The mean per channel (or per row).
    ///   - invstd: `1 / sqrt(var + eps)` per channel.
    ///   - weight: The scale per channel (or per element of a row), or nil for 1.
    ///   - bias: The shift per channel (or per element of a row), or nil for 0.
    ///   - y: The output (overwritten).
    @inlinable
    public static func channelTransform<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                                               mean: UnsafePointer<Double>, invstd: UnsafePointer<Double>,
                                                               weight: UnsafePointer<T>?, bias: UnsafePointer<T>?, _ y: UnsafeMutablePointer<T>) {
        if s <= smallPlane {
            return smallPlaneTransform(x, n: n, c: c, s: s, mean: mean, invstd: invstd, weight: weight, bias: bias, y)
        }
        ThreadPool.shared.parallelFor(c, minChunk: minChannels(n * s)) { range in
            for ch in range {
                let scale = invstd[ch] * (weight != nil ? Double(weight.unsafelyUnwrapped[ch]) : 1)
                let shift = (bias != nil ? Double(bias.unsafelyUnwrapped[ch]) : 0) - mean[ch] * scale
                let a = T(scale), b = T(shift)
                for i in 0..<n {
                    let src = x + (i * c + ch) * s, dst = y + (i * c + ch) * s
                    for j in 0..<s { dst[j] = src[j] * a + b }
                }
            }
        }
    }

    /// Fused batch-norm backward. With `training`, the batch statistics depend on `x`, which adds the
    /// two mean-correction terms; in eval mode `gradInput = gradOutput · weight · invstd`.
    /// Any of the gradient outputs may be nil (not needed).
    ///
    /// - Parameters:
    ///   - gy: The output gradient, laid out like the input.
    ///   - x: The input, laid out `[n, c, s]` (channel ops) or `rows × d` (row ops).
    ///   - n: The batch size.
    ///   - c: The number of channels.
    ///   - s: Elements per channel and sample (spatial size).
    ///   - mean: The mean per channel (or per row).
    ///   - invstd: `1 / sqrt(var + eps)` per channel.
    ///   - weight: The scale per channel (or per element of a row), or nil for 1.
    ///   - training: Whether the statistics were the batch's (adds their gradient terms).
    ///   - gradInput: The input gradient (overwritten), or nil.
    ///   - gradWeight: The weight gradient (overwritten), or nil.
    ///   - gradBias: The bias gradient (overwritten), or nil.
    @inlinable
    public static func channelBackward<T: BinaryFloatingPoint>(gradOutput gy: UnsafePointer<T>, input x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                                              mean: UnsafePointer<Double>, invstd: UnsafePointer<Double>,
                                                              weight: UnsafePointer<T>?, training: Bool,
                                                              gradInput: UnsafeMutablePointer<T>?, gradWeight: UnsafeMutablePointer<T>?,
                                                              gradBias: UnsafeMutablePointer<T>?) {
        if s <= smallPlane {
            return smallPlaneBackward(gradOutput: gy, input: x, n: n, c: c, s: s, mean: mean, invstd: invstd, weight: weight,
                                      training: training, gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias)
        }
        let count = Double(n * s), level = Int32(KernelISA.active.rawValue)
        ThreadPool.shared.parallelFor(c, minChunk: minChannels(2 * n * s)) { range in
            for ch in range {
                let m = mean[ch], istd = invstd[ch]
                var sumG = 0.0, sumGX = 0.0
                if let (fg, fx) = floatRows(gy, x, T.self) {
                    // Float rows through the C loops (the Swift ones ran as baseline SSE code).
                    var sums = (0.0, 0.0)
                    withUnsafeMutableBytes(of: &sums) {
                        ember_f32_bn_grad_sums_level(level, fg + ch * s, fx + ch * s, n, c * s, s, m,
                                                     $0.baseAddress!.assumingMemoryBound(to: Double.self))
                    }
                    (sumG, sumGX) = sums
                } else {
                    for i in 0..<n {
                        let (a, b) = rowGradSums(gy + (i * c + ch) * s, x + (i * c + ch) * s, s, m)
                        sumG += a; sumGX += b
                    }
                }
                let sumGXhat = sumGX * istd
                if let gw = gradWeight { gw[ch] = T(sumGXhat) }
                if let gb = gradBias { gb[ch] = T(sumG) }
                guard let gx = gradInput else { continue }
                let w = weight != nil ? Double(weight.unsafelyUnwrapped[ch]) : 1
                let k = w * istd
                if training {
                    // gx = k · (gy − mean(gy) − xhat · mean(gy · xhat)), xhat = (x − m) · istd; the per-element
                    // part runs in the element type (as PyTorch's CPU kernel), keeping x − m before scaling.
                    let meanG = T(sumG / count), proj = T(sumGXhat / count * istd), mt = T(m), kt = T(k)
                    if let (fg, fx) = floatRows(gy, x, T.self) {
                        ember_f32_bn_grad_input_level(level, fg + ch * s, fx + ch * s, n, c * s, s, Float(meanG), Float(mt),
                                                      Float(proj), Float(kt),
                                                      UnsafeMutableRawPointer(gx + ch * s).assumingMemoryBound(to: Float.self))
                        continue
                    }
                    for i in 0..<n {
                        let g = gy + (i * c + ch) * s, xr = x + (i * c + ch) * s, d = gx + (i * c + ch) * s
                        for j in 0..<s { d[j] = (g[j] - meanG - (xr[j] - mt) * proj) * kt }
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
    }

    /// Layer-norm forward over rows of length `d`: writes `y` and each row's mean and `1 / sqrt(var + eps)`.
    ///
    /// - Parameters:
    ///   - x: The input, laid out `[n, c, s]` (channel ops) or `rows × d` (row ops).
    ///   - rows: The number of rows.
    ///   - d: The length of each row (the normalized size).
    ///   - eps: Added to the variance.
    ///   - weight: The scale per channel (or per element of a row), or nil for 1.
    ///   - bias: The shift per channel (or per element of a row), or nil for 0.
    ///   - y: The output (overwritten).
    ///   - mean: The mean per channel (or per row).
    ///   - rstd: `1 / sqrt(var + eps)` per row.
    @inlinable
    public static func rowForward<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, rows: Int, d: Int, eps: Double,
                                                         weight: UnsafePointer<T>?, bias: UnsafePointer<T>?, _ y: UnsafeMutablePointer<T>,
                                                         mean: UnsafeMutablePointer<Double>, rstd: UnsafeMutablePointer<Double>) {
        // Rows are independent: split over the pool (a Transformer's 2048 rows of 128 took 11% of its step on one
        // thread while the other waited).
        ThreadPool.shared.parallelFor(rows, minChunk: Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, 3 * d))) { range in
            for r in range {
                let src = x + r * d, dst = y + r * d
                let m = sum4(d) { Double(src[$0]) } / Double(d)
                let sq = sum4(d) { let v = Double(src[$0]) - m; return v * v }
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
    }

    /// `Σ term(j)` for `j < n` in four interleaved partial sums (j mod 4), added at the end: four add chains in
    /// flight instead of one (a row's sums were bound by the adds' latency).
    @inlinable @inline(__always)
    static func sum4(_ n: Int, _ term: (Int) -> Double) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= n {
            s0 += term(j); s1 += term(j + 1); s2 += term(j + 2); s3 += term(j + 3)
            j += 4
        }
        while j < n { s0 += term(j); j += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Rows per block of `rowBackward`'s weight and bias sums: at least 64, and at most 256 blocks, so the partial
    /// sums stay small. Depends on `rows` only, so the sums do not depend on the number of threads.
    @inlinable
    static func rowBlock(_ rows: Int) -> Int { Swift.max(64, (rows + 255) / 256) }

    /// Layer-norm backward; `gradWeight`/`gradBias` are overwritten with sums over rows.
    ///
    /// - Parameters:
    ///   - gy: The output gradient, laid out like the input.
    ///   - x: The input, laid out `[n, c, s]` (channel ops) or `rows × d` (row ops).
    ///   - rows: The number of rows.
    ///   - d: The length of each row (the normalized size).
    ///   - mean: The mean per channel (or per row).
    ///   - rstd: `1 / sqrt(var + eps)` per row.
    ///   - weight: The scale per channel (or per element of a row), or nil for 1.
    ///   - gradInput: The input gradient (overwritten), or nil.
    ///   - gradWeight: The weight gradient (overwritten), or nil.
    ///   - gradBias: The bias gradient (overwritten), or nil.
    @inlinable
    public static func rowBackward<T: BinaryFloatingPoint>(gradOutput gy: UnsafePointer<T>, input x: UnsafePointer<T>, rows: Int, d: Int,
                                                          mean: UnsafePointer<Double>, rstd: UnsafePointer<Double>, weight: UnsafePointer<T>?,
                                                          gradInput: UnsafeMutablePointer<T>?, gradWeight: UnsafeMutablePointer<T>?,
                                                          gradBias: UnsafeMutablePointer<T>?) {
        // Blocks of rows over the pool; each block sums its rows' weight and bias terms in row order, then the
        // blocks' sums are added in block order (the same result on any number of threads).
        let block = rowBlock(rows), blocks = (rows + block - 1) / Swift.max(block, 1)
        let needW = gradWeight != nil, needB = gradBias != nil
        var partialW = [Double](repeating: 0, count: needW ? blocks * d : 0)
        var partialB = [Double](repeating: 0, count: needB ? blocks * d : 0)
        partialW.withUnsafeMutableBufferPointer { pw in partialB.withUnsafeMutableBufferPointer { pb in
            let pwBase = pw.baseAddress, pbBase = pb.baseAddress
            ThreadPool.shared.parallelFor(blocks, minChunk: Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, 4 * d * block))) { range in
                for blk in range {
                    let accW = needW ? pwBase! + blk * d : nil, accB = needB ? pbBase! + blk * d : nil
                    for r in (blk * block)..<Swift.min(rows, (blk + 1) * block) {
                        let g = gy + r * d, xr = x + r * d
                        let m = mean[r], rs = rstd[r]
                        var a = 0.0, b = 0.0
                        for j in 0..<d {
                            let xhat = (Double(xr[j]) - m) * rs
                            let gv = Double(g[j])
                            if let accW { accW[j] += gv * xhat }
                            if let accB { accB[j] += gv }
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
                }
            }
        } }
        if let gw = gradWeight {
            for j in 0..<d { var t = 0.0; for blk in 0..<blocks { t += partialW[blk * d + j] }; gw[j] = T(t) }
        }
        if let gb = gradBias {
            for j in 0..<d { var t = 0.0; for blk in 0..<blocks { t += partialB[blk * d + j] }; gb[j] = T(t) }
        }
    }
}
