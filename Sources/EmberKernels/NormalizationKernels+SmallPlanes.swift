// Batch norm over small planes ([N, C, S] with S ≤ 16): loops across channels and positions instead of along a plane.

extension NormalizationKernels {
    /// Planes of at most this many elements (`s`) go through the loops below. Along a plane of one element (a
    /// ResNet's last stage on 32×32 inputs) or four, the per-plane loops ran a function call and a few adds per
    /// element; these walk each image's `[c·s]` block of a task's channels contiguously, one vectorized pass per
    /// image, with per-element sums reduced to per-channel ones at the end (the same Double sums, in another order).
    public static let smallPlane = 16

    /// Elements `[lowerBound·s, upperBound·s)` of every image's `[c·s]` block: a task's channels.
    @inlinable
    static func elementRange(_ channels: Range<Int>, _ s: Int) -> (first: Int, count: Int) {
        (channels.lowerBound &* s, channels.count &* s)
    }

    /// `channelStats` for `s ≤ smallPlane`.
    @inlinable
    static func smallPlaneStats<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                                       mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>) {
        let count = Double(n * s), width = c * s
        ThreadPool.shared.parallelFor(c, minChunk: minChannels(2 * n * s)) { range in
            let (e0, len) = elementRange(range, s)
            let sums = ScratchBuffer<Double>(len), means = ScratchBuffer<Double>(len)
            defer { sums.release(); means.release() }
            let acc = sums.pointer, m = means.pointer
            acc.update(repeating: 0, count: len)
            for i in 0..<n {
                let row = x + (i &* width &+ e0)
                for e in 0..<len { acc[e] += Double(row[e]) }
            }
            for (k, ch) in range.enumerated() {
                mean[ch] = rowSum(acc + k &* s, s) / count
                (m + k &* s).update(repeating: mean[ch], count: s)
            }
            acc.update(repeating: 0, count: len)
            for i in 0..<n {
                let row = x + (i &* width &+ e0)
                for e in 0..<len { let u = Double(row[e]) - m[e]; acc[e] += u * u }
            }
            for (k, ch) in range.enumerated() { variance[ch] = rowSum(acc + k &* s, s) / count }
        }
    }

    /// `channelTransform` for `s ≤ smallPlane`.
    @inlinable
    static func smallPlaneTransform<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                                           mean: UnsafePointer<Double>, invstd: UnsafePointer<Double>,
                                                           weight: UnsafePointer<T>?, bias: UnsafePointer<T>?,
                                                           _ y: UnsafeMutablePointer<T>) {
        let width = c * s
        ThreadPool.shared.parallelFor(c, minChunk: minChannels(n * s)) { range in
            let (e0, len) = elementRange(range, s)
            let scales = ScratchBuffer<T>(len), shifts = ScratchBuffer<T>(len)
            defer { scales.release(); shifts.release() }
            let a = scales.pointer, b = shifts.pointer
            for (k, ch) in range.enumerated() {
                let scale = invstd[ch] * (weight != nil ? Double(weight.unsafelyUnwrapped[ch]) : 1)
                let shift = (bias != nil ? Double(bias.unsafelyUnwrapped[ch]) : 0) - mean[ch] * scale
                (a + k &* s).update(repeating: T(scale), count: s)
                (b + k &* s).update(repeating: T(shift), count: s)
            }
            for i in 0..<n {
                let src = x + (i &* width &+ e0), dst = y + (i &* width &+ e0)
                for e in 0..<len { dst[e] = src[e] * a[e] + b[e] }
            }
        }
    }

    /// `channelBackward` for `s ≤ smallPlane`.
    @inlinable
    static func smallPlaneBackward<T: BinaryFloatingPoint>(gradOutput gy: UnsafePointer<T>, input x: UnsafePointer<T>,
                                                          n: Int, c: Int, s: Int,
                                                          mean: UnsafePointer<Double>, invstd: UnsafePointer<Double>,
                                                          weight: UnsafePointer<T>?, training: Bool,
                                                          gradInput: UnsafeMutablePointer<T>?, gradWeight: UnsafeMutablePointer<T>?,
                                                          gradBias: UnsafeMutablePointer<T>?) {
        let count = Double(n * s), width = c * s
        ThreadPool.shared.parallelFor(c, minChunk: minChannels(2 * n * s)) { range in
            let (e0, len) = elementRange(range, s)
            // Per element: Σ g, Σ g·(x − m) over images, then per channel; then the per-element factors of gx.
            let buffers = (0..<3).map { _ in ScratchBuffer<Double>(len) }
            defer { for b in buffers { b.release() } }
            let sumG = buffers[0].pointer, sumGX = buffers[1].pointer, m = buffers[2].pointer
            sumG.update(repeating: 0, count: len)
            sumGX.update(repeating: 0, count: len)
            for (k, ch) in range.enumerated() { (m + k &* s).update(repeating: mean[ch], count: s) }
            for i in 0..<n {
                let g = gy + (i &* width &+ e0), xr = x + (i &* width &+ e0)
                for e in 0..<len {
                    let a = Double(g[e])
                    sumG[e] += a
                    sumGX[e] += a * (Double(xr[e]) - m[e])
                }
            }
            // The per-element factors, in T: mean(gy), the projection, the mean and k = weight · invstd.
            let factors = (0..<4).map { _ in ScratchBuffer<T>(len) }
            defer { for f in factors { f.release() } }
            let meanG = factors[0].pointer, proj = factors[1].pointer, mt = factors[2].pointer, kt = factors[3].pointer
            for (k, ch) in range.enumerated() {
                let istd = invstd[ch]
                let sg = rowSum(sumG + k &* s, s), sgxHat = rowSum(sumGX + k &* s, s) * istd
                if let gw = gradWeight { gw[ch] = T(sgxHat) }
                if let gb = gradBias { gb[ch] = T(sg) }
                let w = weight != nil ? Double(weight.unsafelyUnwrapped[ch]) : 1
                let o = k &* s
                (meanG + o).update(repeating: T(sg / count), count: s)
                (proj + o).update(repeating: T(sgxHat / count * istd), count: s)
                (mt + o).update(repeating: T(mean[ch]), count: s)
                (kt + o).update(repeating: T(w * istd), count: s)
            }
            guard let gx = gradInput else { return }
            for i in 0..<n {
                let g = gy + (i &* width &+ e0), xr = x + (i &* width &+ e0), d = gx + (i &* width &+ e0)
                if training {
                    for e in 0..<len { d[e] = (g[e] - meanG[e] - (xr[e] - mt[e]) * proj[e]) * kt[e] }
                } else {
                    for e in 0..<len { d[e] = g[e] * kt[e] }
                }
            }
        }
    }
}
