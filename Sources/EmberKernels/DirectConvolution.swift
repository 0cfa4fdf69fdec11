// Direct convolution for few channels (LeNet's): no column matrix, one image at a time (direct_conv.c).

import CEmberKernels

/// Direct float32 convolution of stride 1 without dilation, for few output channels and taps: forward, input
/// gradient and weight gradient.
///
/// im2col writes `C·kh·kw` values per output position and the GEMM reads them back, with an A of only a few rows
/// (the output channels): for LeNet's two convolutions (6 and 16 channels, 25 and 150 taps) im2col and col2im were
/// over a quarter of the training step on Zen 3, the GEMMs as much again. Here each image is zero-padded once and every tap's contribution to eight outputs is one
/// vector load and one FMA per output channel (`direct_conv.c`). The input gradient is the same convolution of the
/// output gradient, padded by `kernel - 1 - padding`, with the kernels transposed and turned by 180 degrees.
///
/// Results match the im2col path to float rounding (the sums run in another order; the weight gradient's lanes are
/// added in Double at the end).
public enum DirectConvolution {
    /// When to take the direct path.
    public enum Policy: Sendable {
        /// Where `isProfitable` says it is faster (the default).
        case automatic
        /// Wherever it applies (tests of the path on shapes the heuristic would skip).
        case always
        /// Never (tests of the im2col path on the shapes the heuristic would send here).
        case never
    }

    /// The policy for convolutions started from this task (a task-local, so one test changing it does not affect
    /// tests running in parallel).
    @TaskLocal public static var policy: Policy = .automatic

    /// Most output channels of the automatic policy. Measured on Zen 3 (two threads, batch 64, forward / input
    /// gradient / weight gradient against im2col + GEMM): 3→16 channels 3×3 on 32×32 1.9–2.6× faster, 16→32 on 16×16
    /// 1.3–2.1×, 48→64 on 8×8 1.0–1.3×; the GEMM's register tile reuses more as the channels grow.
    public static let maxOutChannels = 32
    /// Most taps (`C·kh·kw`) of the automatic policy.
    public static let maxTaps = 512
    /// Most scratch floats per image (padded input and wide output) of the automatic policy: they stay in L2.
    public static let maxImageScratch = 1 << 16

    /// Whether the direct path can compute this convolution: one group, stride 1, no dilation, and padding at most
    /// `kernel - 1` on the top and left (so that its input gradient is a convolution with non-negative padding).
    public static func applies(groups: Int, _ g: ConvGeometry) -> Bool {
        groups == 1 && g.strideHeight == 1 && g.strideWidth == 1 && g.dilationHeight == 1 && g.dilationWidth == 1
            && g.channels > 0 && g.outHeight > 0 && g.outWidth > 0 && g.kernelHeight > 0 && g.kernelWidth > 0
            && g.padTop >= 0 && g.padLeft >= 0 && g.padTop < g.kernelHeight && g.padLeft < g.kernelWidth
    }

    /// Whether the direct path is expected to beat im2col + GEMM: a kernel larger than 1×1 (a 1×1 convolution is
    /// already a GEMM on the input: 10–17% faster there than here), few output channels and taps, and one image's
    /// scratch small enough for L2.
    public static func isProfitable(outChannels: Int, _ g: ConvGeometry) -> Bool {
        let s = shape(outChannels: outChannels, g)
        let scratch = withUnsafePointer(to: s) { ember_direct_conv_padded_floats($0) + ember_direct_conv_wide_floats($0) }
        return g.kernelHeight * g.kernelWidth > 1 && outChannels <= maxOutChannels && g.columnRows <= maxTaps && scratch <= maxImageScratch
    }

    /// Whether `ConvKernels` computes this convolution (and its weight gradient) here under the current `policy`.
    public static func chosen(groups: Int, outChannels: Int, _ g: ConvGeometry) -> Bool {
        guard applies(groups: groups, g) else { return false }
        switch policy {
        case .never: return false
        case .always: return true
        case .automatic: return isProfitable(outChannels: outChannels, g)
        }
    }

    /// The geometry of the input gradient as a convolution: `outChannels` channels of the output gradient's size,
    /// padded by `kernel - 1 - padding`, giving the input's size.
    public static func inputGradientGeometry(_ g: ConvGeometry, outChannels: Int) -> ConvGeometry {
        ConvGeometry(channels: outChannels, height: g.outHeight, width: g.outWidth, kernelHeight: g.kernelHeight,
                     kernelWidth: g.kernelWidth, strideHeight: 1, strideWidth: 1,
                     padTop: g.kernelHeight - 1 - g.padTop, padLeft: g.kernelWidth - 1 - g.padLeft,
                     dilationHeight: 1, dilationWidth: 1, outHeight: g.height, outWidth: g.width)
    }

    /// Whether `ConvKernels.backward` computes the input gradient here under the current `policy`.
    public static func chosenForInputGradient(groups: Int, outChannels: Int, _ g: ConvGeometry) -> Bool {
        applies(groups: groups, g) && chosen(groups: 1, outChannels: g.channels, inputGradientGeometry(g, outChannels: outChannels))
    }

    /// The C description of one image's convolution.
    static func shape(outChannels: Int, _ g: ConvGeometry) -> ember_direct_conv_shape {
        ember_direct_conv_shape(channels: g.channels, height: g.height, width: g.width, kernel_height: g.kernelHeight,
                                kernel_width: g.kernelWidth, pad_top: g.padTop, pad_left: g.padLeft,
                                out_channels: outChannels, out_height: g.outHeight, out_width: g.outWidth)
    }

    /// Where each tap reads the padded image (`ember_direct_conv_tap_offsets`).
    static func tapOffsets(_ s: ember_direct_conv_shape) -> [Int] {
        var offsets = [Int](repeating: 0, count: s.channels * s.kernel_height * s.kernel_width)
        withUnsafePointer(to: s) { sp in offsets.withUnsafeMutableBufferPointer { ember_direct_conv_tap_offsets(sp, $0.baseAddress!) } }
        return offsets
    }

    /// `output = weight ⊛ input + bias` for `batch` images, one image per task.
    ///
    /// - Parameters:
    ///   - input: The input images `[batch, C, H, W]`, contiguous.
    ///   - weight: The weight `[outChannels, C, kh, kw]`, contiguous.
    ///   - bias: The bias `[outChannels]`, or nil.
    ///   - output: The output `[batch, outChannels, outH, outW]` (overwritten).
    ///   - batch: The number of images.
    ///   - outChannels: The number of output channels.
    ///   - g: The convolution's geometry (`applies` must hold).
    ///   - isa: The kernels' instruction set (tests run every level the machine has).
    public static func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               output: UnsafeMutablePointer<Float>, batch: Int, outChannels: Int, _ g: ConvGeometry,
                               isa: KernelISA = .active) {
        var s = shape(outChannels: outChannels, g)
        let offsets = tapOffsets(s)
        let padded = ember_direct_conv_padded_floats(&s), wide = ember_direct_conv_wide_floats(&s)
        let inImage = g.channels * g.height * g.width, outImage = outChannels * g.outHeight * g.outWidth
        let level = Int32(isa.rawValue)
        let work = offsets.count * outChannels * g.outHeight * g.outWidth
        offsets.withUnsafeBufferPointer { offsets in
            ThreadPool.shared.parallelFor(batch, minChunk: Swift.max(1, ThreadPool.minTaskWork / Swift.max(1, work))) { range in
                let scratch = ScratchBuffer<Float>(padded + wide)
                defer { scratch.release() }
                var s = s
                for n in range {
                    ember_direct_conv_forward_image(level, &s, offsets.baseAddress!, input + n * inImage, weight, bias,
                                                    output + n * outImage, scratch.pointer, scratch.pointer + padded,
                                                    n == range.lowerBound ? 0 : 1)
                }
            }
        }
    }

    /// The input gradient `gradInput` (overwritten): the output gradient convolved with the transposed, turned
    /// kernels (`inputGradientGeometry`).
    ///
    /// - Parameters:
    ///   - gradOutput: The output gradient `[batch, outChannels, outH, outW]`.
    ///   - weight: The weight `[outChannels, C, kh, kw]`, contiguous.
    ///   - gradInput: The input gradient `[batch, C, H, W]` (overwritten).
    ///   - batch: The number of images.
    ///   - outChannels: The number of output channels.
    ///   - g: The convolution's geometry (`applies` must hold).
    ///   - isa: The kernels' instruction set (tests run every level the machine has).
    public static func backwardInput(gradOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                     gradInput: UnsafeMutablePointer<Float>, batch: Int, outChannels: Int, _ g: ConvGeometry,
                                     isa: KernelISA = .active) {
        let kh = g.kernelHeight, kw = g.kernelWidth, taps = kh * kw
        // turned[c][o][a][b] = weight[o][c][kh-1-a][kw-1-b]
        let turned = ScratchBuffer<Float>(Swift.max(1, outChannels * g.channels * taps))
        defer { turned.release() }
        for c in 0..<g.channels {
            for o in 0..<outChannels {
                let src = weight + (o * g.channels + c) * taps, dst = turned.pointer + (c * outChannels + o) * taps
                for t in 0..<taps { dst[t] = src[taps - 1 - t] }
            }
        }
        forward(input: gradOutput, weight: turned.pointer, bias: nil, output: gradInput, batch: batch,
                outChannels: g.channels, inputGradientGeometry(g, outChannels: outChannels), isa: isa)
    }

    /// The weight gradient `gradWeight` (overwritten): `Σ_images Σ_positions gradOutput · input` per tap, each
    /// thread over its own share of the images into eight partial sums per weight, added at the end in Double.
    ///
    /// - Parameters:
    ///   - input: The input images `[batch, C, H, W]`, contiguous.
    ///   - gradOutput: The output gradient `[batch, outChannels, outH, outW]`.
    ///   - gradWeight: The weight gradient `[outChannels, C, kh, kw]` (overwritten).
    ///   - batch: The number of images.
    ///   - outChannels: The number of output channels.
    ///   - g: The convolution's geometry (`applies` must hold).
    ///   - isa: The kernels' instruction set (tests run every level the machine has).
    public static func backwardWeight(input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                      gradWeight: UnsafeMutablePointer<Float>, batch: Int, outChannels: Int, _ g: ConvGeometry,
                                      isa: KernelISA = .active) {
        var s = shape(outChannels: outChannels, g)
        let offsets = tapOffsets(s)
        let count = outChannels * offsets.count
        let padded = ember_direct_conv_padded_floats(&s), wide = ember_direct_conv_wide_floats(&s)
        let inImage = g.channels * g.height * g.width, outImage = outChannels * g.outHeight * g.outWidth
        let level = Int32(isa.rawValue)
        let work = count * g.outHeight * g.outWidth
        // One slot of partial sums per share of the images; shares of at least minTaskWork multiply-adds.
        let slots = Swift.max(1, Swift.min(ThreadPool.shared.threadCount, batch, batch * work / ThreadPool.minTaskWork))
        let partials = ScratchBuffer<Float>(slots * count * 8)
        defer { partials.release() }
        partials.pointer.update(repeating: 0, count: slots * count * 8)
        offsets.withUnsafeBufferPointer { offsets in
            ThreadPool.shared.parallelFor(slots) { range in
                let scratch = ScratchBuffer<Float>(padded + wide)
                defer { scratch.release() }
                var s = s, reused = false
                for slot in range {
                    let partial = partials.pointer + slot * count * 8
                    for n in (slot * batch / slots)..<((slot + 1) * batch / slots) {
                        ember_direct_conv_weight_image(level, &s, offsets.baseAddress!, input + n * inImage,
                                                       gradOutput + n * outImage, partial, scratch.pointer, scratch.pointer + padded,
                                                       reused ? 1 : 0)
                        reused = true
                    }
                }
            }
        }
        ember_direct_conv_weight_sum(partials.pointer, slots, count, gradWeight)
    }
}
