// The small value types the fused primitives take: layouts (sizes, strides, padding) and options.
import EmberKernels

/// Which of a fused op's inputs need a gradient (absent optional inputs never do).
public struct GradientNeeds: Equatable, Sendable {
    /// Whether the input, the weight and the bias need a gradient.
    public var input: Bool, weight: Bool, bias: Bool
    /// Which gradients a backward computes.
    public init(input: Bool, weight: Bool, bias: Bool) {
        self.input = input; self.weight = weight; self.bias = bias
    }
}

/// The gradients of a fused op with an input and optional weight and bias (nil where not needed or absent).
public struct FusedGradients {
    /// The gradients of the input, the weight and the bias.
    public var input: Tensor?, weight: Tensor?, bias: Tensor?
    /// The gradients a backward computed (nil for those not needed).
    public init(input: Tensor? = nil, weight: Tensor? = nil, bias: Tensor? = nil) {
        self.input = input; self.weight = weight; self.bias = bias
    }
}

/// A batched, grouped 2-d convolution over NCHW memory: the image that is unfolded (`channelsPerGroup`,
/// `height`, `width`), the kernel window, and the output grid.
public struct ConvolutionLayout: Equatable, Sendable {
    /// The number of images and of channel groups.
    public var batch: Int, groups: Int
    /// Channels on the GEMM's output side (`O` of `conv2d`; the input channels of a transposed convolution).
    public var outChannels: Int
    /// The unfolded image: its channels per group and its spatial size.
    public var channelsPerGroup: Int, height: Int, width: Int
    /// The kernel window.
    public var kernelHeight: Int, kernelWidth: Int
    /// The stride per spatial dim.
    public var strideHeight: Int, strideWidth: Int
    /// The zero padding before each spatial dim.
    public var padTop: Int, padLeft: Int
    /// The dilation per spatial dim.
    public var dilationHeight: Int, dilationWidth: Int
    /// The output grid.
    public var outHeight: Int, outWidth: Int

    /// A convolution's layout.
    ///
    /// - Parameters:
    ///   - batch: The number of images.
    ///   - groups: The number of channel groups.
    ///   - outChannels: The channels of the output grid.
    ///   - channelsPerGroup: The image's channels per group.
    ///   - image: The image's `[height, width]`.
    ///   - kernel: The kernel's `[height, width]`.
    ///   - stride: The stride per spatial dim.
    ///   - padBefore: The zero padding before each spatial dim (top, left).
    ///   - dilation: The dilation per spatial dim.
    ///   - output: The output grid's `[height, width]`.
    public init(batch: Int, groups: Int, outChannels: Int, channelsPerGroup: Int, image: [Int], kernel: [Int],
                stride: [Int], padBefore: [Int], dilation: [Int], output: [Int]) {
        self.batch = batch; self.groups = groups; self.outChannels = outChannels
        self.channelsPerGroup = channelsPerGroup; height = image[0]; width = image[1]
        kernelHeight = kernel[0]; kernelWidth = kernel[1]
        strideHeight = stride[0]; strideWidth = stride[1]
        padTop = padBefore[0]; padLeft = padBefore[1]
        dilationHeight = dilation[0]; dilationWidth = dilation[1]
        outHeight = output[0]; outWidth = output[1]
    }
}

/// A 2-d pooling window over `[N, C, H, W]` planes.
public struct PoolLayout: Equatable, Sendable {
    /// The input's `N` and `C`.
    public var batch: Int, channels: Int
    /// The input's spatial size.
    public var height: Int, width: Int
    /// The output grid.
    public var outHeight: Int, outWidth: Int
    /// The pooling window.
    public var kernelHeight: Int, kernelWidth: Int
    /// The stride per spatial dim.
    public var strideHeight: Int, strideWidth: Int
    /// The implicit padding per spatial dim.
    public var padHeight: Int, padWidth: Int
    /// The dilation per spatial dim.
    public var dilationHeight: Int, dilationWidth: Int

    /// A pooling layout.
    ///
    /// - Parameters:
    ///   - input: The input shape `[N, C, H, W]`.
    ///   - output: The output grid `[oH, oW]`.
    ///   - kernel: The window `[kH, kW]`.
    ///   - stride: The stride per spatial dim.
    ///   - padding: The implicit padding per spatial dim.
    ///   - dilation: The dilation per spatial dim.
    public init(input: [Int], output: [Int], kernel: [Int], stride: [Int], padding: [Int], dilation: [Int] = [1, 1]) {
        batch = input[0]; channels = input[1]; height = input[2]; width = input[3]
        outHeight = output[0]; outWidth = output[1]
        kernelHeight = kernel[0]; kernelWidth = kernel[1]
        strideHeight = stride[0]; strideWidth = stride[1]
        padHeight = padding[0]; padWidth = padding[1]
        dilationHeight = dilation[0]; dilationWidth = dilation[1]
    }

    /// Planes (`N · C`) pooled independently.
    public var planes: Int { batch * channels }

    /// PyTorch's pooling output size along one dim (`ceilMode` keeps a last partial window that starts inside
    /// the input or its left padding).
    public static func outputSize(input: Int, kernel: Int, pad: Int, stride: Int, dilation: Int, ceilMode: Bool) -> Int {
        PoolGeometry.outputSize(input: input, kernel: kernel, pad: pad, stride: stride, dilation: dilation, ceilMode: ceilMode)
    }
}

/// Options of average pooling (`count_include_pad`, `divisor_override`).
public struct AvgPoolOptions: Equatable, Sendable {
    /// Whether padded cells count in the divisor (`count_include_pad`).
    public var countIncludePad: Bool
    /// A fixed divisor instead of the window's size (`divisor_override`).
    public var divisorOverride: Int?
    /// Average pooling's options.
    public init(countIncludePad: Bool, divisorOverride: Int?) {
        self.countIncludePad = countIncludePad; self.divisorOverride = divisorOverride
    }
}

/// Per-channel (batch norm) or per-row (layer norm) mean and inverse standard deviation.
///
/// Host arrays: a device backend copies them back from its memory (see ARCHITECTURE, the compute seam).
public struct NormStatistics: Sendable {
    /// The means and the inverse standard deviations `1 / sqrt(var + eps)`, one per channel or row.
    public var mean: [Double], invstd: [Double]
    /// Statistics a norm's forward computed.
    public init(mean: [Double], invstd: [Double]) { self.mean = mean; self.invstd = invstd }
}

/// Which class-index loss, and its options.
public struct ClassLossOptions: Equatable, Sendable {
    /// Cross-entropy (log-softmax fused with NLL) or NLL of given log-probabilities.
    public enum Kind: Sendable { case crossEntropy, nll }
    /// Which loss.
    public var kind: Kind
    /// PyTorch's name of the op, for messages.
    public var opName: String { kind == .crossEntropy ? "cross_entropy" : "nll_loss" }
    /// Targets equal to this add nothing.
    public var ignoreIndex: Int
    /// Cross-entropy only: the weight ε spread over all classes.
    public var labelSmoothing: Double
    /// A class-index loss's options.
    public init(kind: Kind, ignoreIndex: Int, labelSmoothing: Double = 0) {
        self.kind = kind; self.ignoreIndex = ignoreIndex; self.labelSmoothing = labelSmoothing
    }
}

/// The forward results of a class-index loss: per-row losses `[N, S]`, what the backward reuses, the sum of
/// the kept rows' weights (the mean's divisor), and the first target outside `0..<C`.
public struct ClassLossResult {
    /// The per-row losses, shaped like the targets.
    public var loss: Tensor
    /// Cross-entropy: the log-sum-exp of each row, reused by the backward.
    public var logSumExp: Tensor?
    /// The sum of the kept rows' class weights: the divisor of the mean.
    public var weightSum: Double
    /// The first target outside `0..<C` (not the ignore index), for the op's message; nil when all are valid.
    public var badTarget: Int64?
    /// A class-index loss's forward results.
    public init(loss: Tensor, logSumExp: Tensor?, weightSum: Double, badTarget: Int64?) {
        self.loss = loss; self.logSumExp = logSumExp; self.weightSum = weightSum; self.badTarget = badTarget
    }
}

/// How `interpolate` maps output pixels to input pixels.
public struct InterpolationLayout: Equatable, Sendable {
    public enum Mode: Equatable, Sendable {
        /// PyTorch's legacy `"nearest"`: source index `floor(dst · scale)`.
        case nearest
        /// Bilinear: source `(dst + 0.5) · scale − 0.5`, or `dst · (in − 1) / (out − 1)` with `alignCorners`.
        case bilinear(alignCorners: Bool)
    }
    /// How source pixels are chosen.
    public var mode: Mode
    /// The output's spatial size.
    public var outHeight: Int, outWidth: Int
    /// Given scale factors per spatial dim (nil: derived from the sizes).
    public var scales: [Double?]
    /// An interpolation's layout.
    public init(mode: Mode, outHeight: Int, outWidth: Int, scales: [Double?]) {
        self.mode = mode; self.outHeight = outHeight; self.outWidth = outWidth; self.scales = scales
    }
}
