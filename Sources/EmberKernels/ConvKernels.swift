// Convolution drivers over raw NCHW buffers: im2col + one GEMM per image and group, for forward and both gradients.

/// Batched grouped 2-d convolution on contiguous buffers, built on `Im2Col` and `Gemm`.
///
/// Shapes: input `[N, groups * g.channels, g.height, g.width]`, weight `[outChannels, g.channels, kh, kw]`,
/// output `[N, outChannels, g.outHeight, g.outWidth]`. The same three routines give the transposed
/// convolution (its forward is `backwardInput`, its gradients are `forward` and `backwardWeight`).
public enum ConvKernels {
    /// `c = alpha * a · b + beta * c` dispatched to `Gemm.sgemm` / `Gemm.dgemm` by element type.
    @inlinable
    public static func gemm<T: BinaryFloatingPoint>(m: Int, n: Int, k: Int, a: UnsafePointer<T>, aRowStride: Int, aColStride: Int,
                                                   b: UnsafePointer<T>, bRowStride: Int, bColStride: Int,
                                                   beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
        if T.self == Float.self {
            Gemm.sgemm(m: m, n: n, k: k, alpha: 1,
                       a: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), aRowStride: aRowStride, aColStride: aColStride,
                       b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), bRowStride: bRowStride, bColStride: bColStride,
                       beta: Float(beta), c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc)
        } else if T.self == Double.self {
            Gemm.dgemm(m: m, n: n, k: k, alpha: 1,
                       a: UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), aRowStride: aRowStride, aColStride: aColStride,
                       b: UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), bRowStride: bRowStride, bColStride: bColStride,
                       beta: Double(beta), c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc: ldc)
        } else {
            fatalError("ConvKernels.gemm: unsupported element type \(T.self)")
        }
    }

    /// Output = weight ⊛ input (+ bias). `output` is overwritten.
    @inlinable
    public static func forward<T: BinaryFloatingPoint>(input: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>?,
                                                      output: UnsafeMutablePointer<T>, batch: Int, groups: Int, outChannels: Int,
                                                      _ g: ConvGeometry) {
        let k = g.columnRows, l = g.columnCount, og = outChannels / groups
        let inImage = g.channels * g.height * g.width
        let identity = g.isIdentity
        let columns = UnsafeMutablePointer<T>.allocate(capacity: identity ? 0 : k * l)
        defer { columns.deallocate() }
        // TODO(threads): split the batch with ThreadPool.shared.parallelFor (one column buffer per worker)
        // once the kernels branch's pool has landed in this tree.
        for n in 0..<batch {
            for gi in 0..<groups {
                let src = input + (n * groups + gi) * inImage
                if !identity { Im2Col.im2col(src, g, columns) }
                let dst = output + (n * outChannels + gi * og) * l
                var beta: T = 0
                if let bias = bias {
                    for o in 0..<og { (dst + o * l).update(repeating: bias[gi * og + o], count: l) }
                    beta = 1
                }
                gemm(m: og, n: l, k: k, a: weight + gi * og * k, aRowStride: k, aColStride: 1,
                     b: identity ? src : UnsafePointer(columns), bRowStride: l, bColStride: 1, beta: beta, c: dst, ldc: l)
            }
        }
    }

    /// Input gradient: `gradInput = weightᵀ · gradOutput`, folded back with col2im. `gradInput` is overwritten.
    @inlinable
    public static func backwardInput<T: BinaryFloatingPoint>(gradOutput: UnsafePointer<T>, weight: UnsafePointer<T>,
                                                            gradInput: UnsafeMutablePointer<T>, batch: Int, groups: Int,
                                                            outChannels: Int, _ g: ConvGeometry) {
        let k = g.columnRows, l = g.columnCount, og = outChannels / groups
        let inImage = g.channels * g.height * g.width
        let identity = g.isIdentity
        let columns = UnsafeMutablePointer<T>.allocate(capacity: identity ? 0 : k * l)
        defer { columns.deallocate() }
        if !identity { gradInput.update(repeating: 0, count: batch * groups * inImage) }
        // TODO(threads): parallel over the batch, as in `forward`.
        for n in 0..<batch {
            for gi in 0..<groups {
                let gy = gradOutput + (n * outChannels + gi * og) * l
                let dst = gradInput + (n * groups + gi) * inImage
                gemm(m: k, n: l, k: og, a: weight + gi * og * k, aRowStride: 1, aColStride: k,
                     b: gy, bRowStride: l, bColStride: 1, beta: 0, c: identity ? dst : columns, ldc: l)
                if !identity { Im2Col.col2im(UnsafePointer(columns), g, dst) }
            }
        }
    }

    /// Weight gradient: `gradWeight = Σₙ gradOutputₙ · colsₙᵀ`. `gradWeight` is overwritten.
    @inlinable
    public static func backwardWeight<T: BinaryFloatingPoint>(input: UnsafePointer<T>, gradOutput: UnsafePointer<T>,
                                                             gradWeight: UnsafeMutablePointer<T>, batch: Int, groups: Int,
                                                             outChannels: Int, _ g: ConvGeometry) {
        let k = g.columnRows, l = g.columnCount, og = outChannels / groups
        let inImage = g.channels * g.height * g.width
        let identity = g.isIdentity
        let columns = UnsafeMutablePointer<T>.allocate(capacity: identity ? 0 : k * l)
        defer { columns.deallocate() }
        if batch == 0 { gradWeight.update(repeating: 0, count: outChannels * k) }
        // Accumulating over images makes this loop sequential; a threaded version needs per-worker partial sums.
        for n in 0..<batch {
            for gi in 0..<groups {
                let src = input + (n * groups + gi) * inImage
                if !identity { Im2Col.im2col(src, g, columns) }
                let gy = gradOutput + (n * outChannels + gi * og) * l
                gemm(m: og, n: k, k: l, a: gy, aRowStride: l, aColStride: 1,
                     b: identity ? src : UnsafePointer(columns), bRowStride: 1, bColStride: l,
                     beta: n == 0 ? 0 : 1, c: gradWeight + gi * og * k, ldc: k)
            }
        }
    }

    /// Bias gradient: the sum of `gradOutput` over the batch and positions, per channel (overwrites).
    @inlinable
    public static func backwardBias<T: BinaryFloatingPoint>(gradOutput: UnsafePointer<T>, gradBias: UnsafeMutablePointer<T>,
                                                           batch: Int, channels: Int, positions: Int) {
        gradBias.update(repeating: 0, count: channels)
        for n in 0..<batch {
            for c in 0..<channels {
                let row = gradOutput + (n * channels + c) * positions
                var acc: T = 0
                for i in 0..<positions { acc += row[i] }
                gradBias[c] += acc
            }
        }
    }
}
