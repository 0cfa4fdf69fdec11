// Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d.
import Ember

/// Max pooling over `[N, C, H, W]` (`nn.MaxPool2d`); stride defaults to the kernel size.
///
/// Shape: `[N, C, H, W]` (or `[C, H, W]`) → `[N, C, H', W']` with `H' = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1` (⌈⌉ with `ceilMode`).
public final class MaxPool2d: Module {
    public let kernelSize: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool
    /// Max pooling with PyTorch's arguments.
    ///
    /// - Parameters:
    ///   - kernelSize: The size of the window (one number for both dimensions, or one per dimension).
    ///   - stride: The step of the window (nil: the kernel size).
    ///   - padding: Implicit padding on both sides (−∞ for max pooling, zeros for average pooling), at most half the kernel.
    ///   - dilation: The spacing between the window's taps.
    ///   - ceilMode: Use ⌈⌉ instead of ⌊⌋ to compute the output size.
    public init(kernelSize: IntTuple, stride: IntTuple? = nil, padding: IntTuple = 0, dilation: IntTuple = 1, ceilMode: Bool = false) {
        self.kernelSize = expandTuple(kernelSize, 2, op: "MaxPool2d", name: "kernel_size")
        self.stride = stride.map { expandTuple($0, 2, op: "MaxPool2d", name: "stride") } ?? self.kernelSize
        self.padding = expandTuple(padding, 2, op: "MaxPool2d", name: "padding")
        self.dilation = expandTuple(dilation, 2, op: "MaxPool2d", name: "dilation")
        self.ceilMode = ceilMode
    }
    /// Max pooling with a square window (`MaxPool2d(2)`).
    ///
    /// - Parameters:
    ///   - kernelSize: The size of the window (one number for both dimensions, or one per dimension).
    ///   - stride: The step of the window (nil: the kernel size).
    ///   - padding: Implicit padding on both sides (−∞ for max pooling, zeros for average pooling), at most half the kernel.
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernelSize: kernelSize, stride: stride, padding: padding)
    }
    public override func forward(_ x: Tensor) -> Tensor {
        F.maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
    public override var extraDescription: String {
        func one(_ v: [Int]) -> String { v[0] == v[1] ? "\(v[0])" : tupleText(v) }
        return "kernel_size=\(one(kernelSize)), stride=\(one(stride)), padding=\(one(padding)), dilation=\(one(dilation)), ceil_mode=\(ceilMode ? "True" : "False")"
    }
}

/// Average pooling over `[N, C, H, W]` (`nn.AvgPool2d`).
///
/// Shape: `[N, C, H, W]` (or `[C, H, W]`) → `[N, C, H', W']` with `H' = ⌊(H + 2p − k)/s⌋ + 1` (⌈⌉ with `ceilMode`).
public final class AvgPool2d: Module {
    public let kernelSize: [Int], stride: [Int], padding: [Int], ceilMode: Bool, countIncludePad: Bool
    /// Average pooling with PyTorch's arguments.
    ///
    /// - Parameters:
    ///   - kernelSize: The size of the window (one number for both dimensions, or one per dimension).
    ///   - stride: The step of the window (nil: the kernel size).
    ///   - padding: Implicit padding on both sides (−∞ for max pooling, zeros for average pooling), at most half the kernel.
    ///   - ceilMode: Use ⌈⌉ instead of ⌊⌋ to compute the output size.
    ///   - countIncludePad: Count the padding zeros in the average's divisor.
    public init(kernelSize: IntTuple, stride: IntTuple? = nil, padding: IntTuple = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernelSize = expandTuple(kernelSize, 2, op: "AvgPool2d", name: "kernel_size")
        self.stride = stride.map { expandTuple($0, 2, op: "AvgPool2d", name: "stride") } ?? self.kernelSize
        self.padding = expandTuple(padding, 2, op: "AvgPool2d", name: "padding")
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }
    public override func forward(_ x: Tensor) -> Tensor {
        F.avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
    public override var extraDescription: String {
        func one(_ v: [Int]) -> String { v[0] == v[1] ? "\(v[0])" : tupleText(v) }
        return "kernel_size=\(one(kernelSize)), stride=\(one(stride)), padding=\(one(padding))"
    }
}

/// Adaptive average pooling to a fixed output size (`nn.AdaptiveAvgPool2d((1, 1))`).
///
/// Shape: `[N, C, H, W]` (or `[C, H, W]`) → `[N, C, outputSize[0], outputSize[1]]`.
public final class AdaptiveAvgPool2d: Module {
    public let outputSize: [Int]
    public init(_ outputSize: IntTuple) { self.outputSize = expandTuple(outputSize, 2, op: "AdaptiveAvgPool2d", name: "output_size") }
    public convenience init(_ h: Int, _ w: Int) { self.init([h, w]) }
    public override func forward(_ x: Tensor) -> Tensor { F.adaptiveAvgPool2d(x, outputSize: outputSize) }
    public override var extraDescription: String { "output_size=\(tupleText(outputSize))" }
}

/// Adaptive max pooling to a fixed output size (`nn.AdaptiveMaxPool2d`).
///
/// Shape: `[N, C, H, W]` (or `[C, H, W]`) → `[N, C, outputSize[0], outputSize[1]]`.
public final class AdaptiveMaxPool2d: Module {
    public let outputSize: [Int]
    public init(_ outputSize: IntTuple) { self.outputSize = expandTuple(outputSize, 2, op: "AdaptiveMaxPool2d", name: "output_size") }
    public override func forward(_ x: Tensor) -> Tensor { F.adaptiveMaxPool2d(x, outputSize: outputSize) }
    public override var extraDescription: String { "output_size=\(tupleText(outputSize))" }
}
