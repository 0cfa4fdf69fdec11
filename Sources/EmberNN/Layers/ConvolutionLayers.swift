// Convolution layers: Conv1d, Conv2d, ConvTranspose2d (weights and PyTorch's default initialisation).
import Ember

/// Formats an int-tuple argument the way PyTorch prints it: `(5, 5)`.
func tupleText(_ v: [Int]) -> String { "(" + v.map(String.init).joined(separator: ", ") + (v.count == 1 ? ",)" : ")") }

/// 2-d convolution over `[N, C, H, W]` (`nn.Conv2d`): stride, padding (number, per-dim, `"same"`, `"valid"`),
/// dilation, groups, optional bias. Weights `[out, in/groups, kH, kW]`, initialised like PyTorch
/// (Kaiming-uniform `a = √5`, bias uniform `±1/√fanIn`).
///
/// Shape: `[N, inChannels, H, W]` → `[N, outChannels, H', W']` with `H' = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1`.
///
/// ```swift
/// let conv = Conv2d(1, 6, kernelSize: 5, padding: 2)
/// let y = conv(Tensor.randn([8, 1, 28, 28]))    // [8, 6, 28, 28]
/// ```
public final class Conv2d: Module {
    public let inChannels: Int, outChannels: Int, kernelSize: [Int], stride: [Int], padding: ConvPadding
    public let dilation: [Int], groups: Int
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?

    /// A 2-d convolution initialised like PyTorch's.
    ///
    /// - Parameters:
    ///   - inChannels: The number of channels of the input.
    ///   - outChannels: The number of channels of the output.
    ///   - kernelSize: The size of the window (one number for both dimensions, or one per dimension).
    ///   - stride: The step of the window (one number for both dimensions, or one per dimension).
    ///   - padding: Zeros added on both sides of each spatial dimension: a number, one per dimension, `"same"` or `"valid"` (transposed: removed from the output).
    ///   - dilation: The spacing between the window's taps.
    ///   - groups: The number of blocked connections from input to output channels; both counts must be divisible by it.
    ///   - bias: Whether the layer adds a learnable bias.
    ///   - dtype: The element type of the weights.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: IntTuple, stride: IntTuple = 1, padding: ConvPaddingSpec = 0,
                dilation: IntTuple = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32) {
        emberCheck(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, "Conv2d",
                   "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))")
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelSize = expandTuple(kernelSize, 2, op: "Conv2d", name: "kernel_size")
        self.stride = expandTuple(stride, 2, op: "Conv2d", name: "stride")
        self.padding = padding.convPadding
        self.dilation = expandTuple(dilation, 2, op: "Conv2d", name: "dilation")
        self.groups = groups
        weight = Tensor.empty([outChannels, inChannels / groups] + self.kernelSize, dtype: dtype)
        self.bias = bias ? Tensor.empty([outChannels], dtype: dtype) : nil
        super.init()
        Init.defaultLayerInit(weight: weight, bias: self.bias)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        F.conv2d(x, weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
    public override var extraDescription: String {
        convDescription(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias != nil)
    }
}

/// 1-d convolution over `[N, C, L]` (`nn.Conv1d`).
///
/// Shape: `[N, inChannels, L]` → `[N, outChannels, L']` with `L' = ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1`; `weight` is `[outChannels, inChannels/groups, k]`.
public final class Conv1d: Module {
    public let inChannels: Int, outChannels: Int, kernelSize: [Int], stride: [Int], padding: ConvPadding
    public let dilation: [Int], groups: Int
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?

    /// A 1-d convolution initialised like PyTorch's.
    ///
    /// - Parameters:
    ///   - inChannels: The number of channels of the input.
    ///   - outChannels: The number of channels of the output.
    ///   - kernelSize: The size of the window (one number for both dimensions, or one per dimension).
    ///   - stride: The step of the window (one number for both dimensions, or one per dimension).
    ///   - padding: Zeros added on both sides of each spatial dimension: a number, one per dimension, `"same"` or `"valid"` (transposed: removed from the output).
    ///   - dilation: The spacing between the window's taps.
    ///   - groups: The number of blocked connections from input to output channels; both counts must be divisible by it.
    ///   - bias: Whether the layer adds a learnable bias.
    ///   - dtype: The element type of the weights.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPaddingSpec = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32) {
        emberCheck(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, "Conv1d",
                   "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))")
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelSize = [kernelSize]; self.stride = [stride]; self.padding = padding.convPadding
        self.dilation = [dilation]; self.groups = groups
        weight = Tensor.empty([outChannels, inChannels / groups, kernelSize], dtype: dtype)
        self.bias = bias ? Tensor.empty([outChannels], dtype: dtype) : nil
        super.init()
        Init.defaultLayerInit(weight: weight, bias: self.bias)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        F.conv1d(x, weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
    public override var extraDescription: String {
        convDescription(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias != nil)
    }
}

/// Transposed 2-d convolution (`nn.ConvTranspose2d`); weight `[in, out/groups, kH, kW]`.
///
/// Shape: `[N, inChannels, H, W]` → `[N, outChannels, H', W']` with `H' = (H − 1)s − 2p + d(k − 1) + outputPadding + 1`.
public final class ConvTranspose2d: Module {
    public let inChannels: Int, outChannels: Int, kernelSize: [Int], stride: [Int], padding: [Int], outputPadding: [Int]
    public let dilation: [Int], groups: Int
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?

    /// A transposed 2-d convolution initialised like PyTorch's.
    ///
    /// - Parameters:
    ///   - inChannels: The number of channels of the input.
    ///   - outChannels: The number of channels of the output.
    ///   - kernelSize: The size of the window (one number for both dimensions, or one per dimension).
    ///   - stride: The step of the window (one number for both dimensions, or one per dimension).
    ///   - padding: Zeros added on both sides of each spatial dimension: a number, one per dimension, `"same"` or `"valid"` (transposed: removed from the output).
    ///   - outputPadding: Extra size added to one side of the output, to pick among the shapes a strided convolution maps to the input's.
    ///   - groups: The number of blocked connections from input to output channels; both counts must be divisible by it.
    ///   - bias: Whether the layer adds a learnable bias.
    ///   - dilation: The spacing between the window's taps.
    ///   - dtype: The element type of the weights.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: IntTuple, stride: IntTuple = 1, padding: IntTuple = 0,
                outputPadding: IntTuple = 0, groups: Int = 1, bias: Bool = true, dilation: IntTuple = 1, dtype: DType = .float32) {
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelSize = expandTuple(kernelSize, 2, op: "ConvTranspose2d", name: "kernel_size")
        self.stride = expandTuple(stride, 2, op: "ConvTranspose2d", name: "stride")
        self.padding = expandTuple(padding, 2, op: "ConvTranspose2d", name: "padding")
        self.outputPadding = expandTuple(outputPadding, 2, op: "ConvTranspose2d", name: "output_padding")
        self.dilation = expandTuple(dilation, 2, op: "ConvTranspose2d", name: "dilation")
        self.groups = groups
        weight = Tensor.empty([inChannels, outChannels / groups] + self.kernelSize, dtype: dtype)
        self.bias = bias ? Tensor.empty([outChannels], dtype: dtype) : nil
        super.init()
        // PyTorch computes fan-in from weight.shape[1] * kernel for transposed convs too.
        Init.defaultLayerInit(weight: weight, bias: self.bias)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        F.convTranspose2d(x, weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                          groups: groups, dilation: dilation)
    }
    public override var extraDescription: String {
        var s = "\(inChannels), \(outChannels), kernel_size=\(tupleText(kernelSize)), stride=\(tupleText(stride))"
        if padding.contains(where: { $0 != 0 }) { s += ", padding=\(tupleText(padding))" }
        if outputPadding.contains(where: { $0 != 0 }) { s += ", output_padding=\(tupleText(outputPadding))" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=False" }
        return s
    }
}

/// PyTorch's `extra_repr` for convolutions: only non-default settings are listed.
func convDescription(_ i: Int, _ o: Int, _ k: [Int], _ s: [Int], _ p: ConvPadding, _ d: [Int], _ g: Int, _ hasBias: Bool) -> String {
    var text = "\(i), \(o), kernel_size=\(tupleText(k)), stride=\(tupleText(s))"
    switch p {
    case .explicit(let v) where v.contains(where: { $0 != 0 }): text += ", padding=\(tupleText(v.count == 1 ? Array(repeating: v[0], count: k.count) : v))"
    case .same: text += ", padding=same"
    case .valid: text += ", padding=valid"
    default: break
    }
    if d.contains(where: { $0 != 1 }) { text += ", dilation=\(tupleText(d))" }
    if g != 1 { text += ", groups=\(g)" }
    if !hasBias { text += ", bias=False" }
    return text
}
