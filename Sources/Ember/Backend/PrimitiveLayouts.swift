// The small value types the fused primitives take: layouts (sizes, strides, padding) and options.
import EmberKernels

/// Which of a fused op's inputs need a gradient (absent optional inputs never do).
public struct GradientNeeds: Equatable, Sendable {
    public var input: Bool, weight: Bool, bias: Bool
    public init(input: Bool, weight: Bool, bias: Bool) {
        self.input = input; self.weight = weight; self.bias = bias
    }
}

/// The gradients of a fused op with an input and optional weight and bias (nil where not needed or absent).
public struct FusedGradients {
    public var input: Tensor?, weight: Tensor?, bias: Tensor?
    public init(input: Tensor? = nil, weight: Tensor? = nil, bias: Tensor? = nil) {
        self.input = input; self.weight = weight; self.bias = bias
    }
}

/// A batched, grouped 2-d convolution over NCHW memory: the image that is unfolded (`channelsPerGroup`,
/// `height`, `width`), the kernel window, and the output grid.
public struct ConvolutionLayout: Equatable, Sendable {
    public var batch: Int, groups: Int
    /// Channels on the GEMM's output side (`O` of `conv2d`; the input channels of a transposed convolution).
    public var outChannels: Int
    public var channelsPerGroup: Int, height: Int, width: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var padTop: Int, padLeft: Int
    public var dilationHeight: Int, dilationWidth: Int
    public var outHeight: Int, outWidth: Int

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
    public var batch: Int, channels: Int
    public var height: Int, width: Int
    public var outHeight: Int, outWidth: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var padHeight: Int, padWidth: Int
    public var dilationHeight: Int, dilationWidth: Int

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
    public var countIncludePad: Bool
    public var divisorOverride: Int?
    public init(countIncludePad: Bool, divisorOverride: Int?) {
        self.countIncludePad = countIncludePad; self.divisorOverride = divisorOverride
    }
}

/// Per-channel (batch norm) or per-row (layer norm) mean and inverse standard deviation.
public struct NormStatistics: Sendable {
    public var mean: [Double], invstd: [Double]
    public init(mean: [Double], invstd: [Double]) { self.mean = mean; self.invstd = invstd }
}

/// Which class-index loss, and its options.
public struct ClassLossOptions: Equatable, Sendable {
    public enum Kind: Sendable { case crossEntropy, nll }
    public var kind: Kind
    /// Targets equal to this add nothing.
    public var ignoreIndex: Int
    /// Cross-entropy only: the weight ε spread over all classes.
    public var labelSmoothing: Double
    public init(kind: Kind, ignoreIndex: Int, labelSmoothing: Double = 0) {
        self.kind = kind; self.ignoreIndex = ignoreIndex; self.labelSmoothing = labelSmoothing
    }
}

/// The forward results of a class-index loss: per-row losses `[N, S]`, what the backward reuses, the sum of
/// the kept rows' weights (the mean's divisor), and the first target outside `0..<C`.
public struct ClassLossResult {
    public var loss: Tensor
    /// Cross-entropy: the log-sum-exp of each row, reused by the backward.
    public var logSumExp: Tensor?
    public var weightSum: Double
    public var badTarget: Int64?
    public init(loss: Tensor, logSumExp: Tensor?, weightSum: Double, badTarget: Int64?) {
        self.loss = loss; self.logSumExp = logSumExp; self.weightSum = weightSum; self.badTarget = badTarget
    }
}

/// How `interpolate` maps output pixels to input pixels.
public struct InterpolationLayout: Equatable, Sendable {
    public enum Mode: Equatable, Sendable {
        /// PyTorch's legacy `"nearest"`: source index `floor(dst · scale)`.
        case nearest
        case bilinear(alignCorners: Bool)
    }
    public var mode: Mode
    public var outHeight: Int, outWidth: Int
    /// Given scale factors per spatial dim (nil: derived from the sizes).
    public var scales: [Double?]
    public init(mode: Mode, outHeight: Int, outWidth: Int, scales: [Double?]) {
        self.mode = mode; self.outHeight = outHeight; self.outWidth = outWidth; self.scales = scales
    }
}
