// A second backend for the tests: wraps the CPU backend, counts calls per primitive, and records any tensor
// handed to it that is not on its own device.
import Foundation
import Ember

/// A backend for a test device whose memory is host memory: every method counts its call and forwards to
/// `CPUBackend` (whose primitives allocate their results on the device of their inputs, i.e. here again).
/// `foreignTensors` names each primitive that received a tensor of another device.
final class CheckingBackend: Backend, @unchecked Sendable {
    let device: Device
    private let cpu = CPUBackend.shared
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var foreign: [String] = []

    init(device: Device) { self.device = device }

    /// Calls per primitive since the last `reset()`.
    var calls: [String: Int] { lock.lock(); defer { lock.unlock() }; return counts }
    /// Primitives that were handed a tensor of another device since the last `reset()`.
    var foreignTensors: [String] { lock.lock(); defer { lock.unlock() }; return foreign }
    func reset() { lock.lock(); counts = [:]; foreign = []; lock.unlock() }

    private func note(_ name: String, _ tensors: Tensor?...) {
        lock.lock(); defer { lock.unlock() }
        counts[name, default: 0] += 1
        if tensors.contains(where: { $0 != nil && $0!.device != device }) { foreign.append(name) }
    }

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        note("allocate"); return cpu.allocate(byteCount: byteCount)
    }
    func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        note("deallocate"); cpu.deallocate(pointer, byteCount: byteCount)
    }
    func copyBytes(from source: UnsafeRawPointer, on sourceDevice: Device, to destination: UnsafeMutableRawPointer,
                   on destinationDevice: Device, byteCount: Int) {
        note("copyBytes")
        cpu.copyBytes(from: source, on: sourceDevice, to: destination, on: destinationDevice, byteCount: byteCount)
    }

    func convolution(_ input: Tensor, weight: Tensor, bias: Tensor?, _ layout: ConvolutionLayout) -> Tensor {
        note("convolution", input, weight, bias); return cpu.convolution(input, weight: weight, bias: bias, layout)
    }
    func convolutionBackward(input: Tensor, weight: Tensor, gradOutput: Tensor, _ layout: ConvolutionLayout, needs: GradientNeeds) -> FusedGradients {
        note("convolutionBackward", input, weight, gradOutput)
        return cpu.convolutionBackward(input: input, weight: weight, gradOutput: gradOutput, layout, needs: needs)
    }
    func convolutionTransposed(_ input: Tensor, weight: Tensor, bias: Tensor?, _ layout: ConvolutionLayout) -> Tensor {
        note("convolutionTransposed", input, weight, bias); return cpu.convolutionTransposed(input, weight: weight, bias: bias, layout)
    }
    func convolutionTransposedBackward(input: Tensor, weight: Tensor, gradOutput: Tensor, _ layout: ConvolutionLayout,
                                       needs: GradientNeeds) -> FusedGradients {
        note("convolutionTransposedBackward", input, weight, gradOutput)
        return cpu.convolutionTransposedBackward(input: input, weight: weight, gradOutput: gradOutput, layout, needs: needs)
    }

    func maxPool2d(_ input: Tensor, _ layout: PoolLayout, withIndices: Bool) -> (output: Tensor, indices: Tensor?) {
        note("maxPool2d", input); return cpu.maxPool2d(input, layout, withIndices: withIndices)
    }
    func maxPool2dBackward(_ gradOutput: Tensor, indices: Tensor, inputShape: [Int]) -> Tensor {
        note("maxPool2dBackward", gradOutput, indices); return cpu.maxPool2dBackward(gradOutput, indices: indices, inputShape: inputShape)
    }
    func maxPool2dDoubleBackward(_ source: Tensor, indices: Tensor, outputShape: [Int]) -> Tensor {
        note("maxPool2dDoubleBackward", source, indices); return cpu.maxPool2dDoubleBackward(source, indices: indices, outputShape: outputShape)
    }
    func avgPool2d(_ input: Tensor, _ layout: PoolLayout, _ options: AvgPoolOptions) -> Tensor {
        note("avgPool2d", input); return cpu.avgPool2d(input, layout, options)
    }
    func avgPool2dBackward(_ gradOutput: Tensor, _ layout: PoolLayout, _ options: AvgPoolOptions) -> Tensor {
        note("avgPool2dBackward", gradOutput); return cpu.avgPool2dBackward(gradOutput, layout, options)
    }
    func adaptiveAvgPool2d(_ input: Tensor, outputSize: [Int]) -> Tensor {
        note("adaptiveAvgPool2d", input); return cpu.adaptiveAvgPool2d(input, outputSize: outputSize)
    }
    func adaptiveAvgPool2dBackward(_ gradOutput: Tensor, inputShape: [Int]) -> Tensor {
        note("adaptiveAvgPool2dBackward", gradOutput); return cpu.adaptiveAvgPool2dBackward(gradOutput, inputShape: inputShape)
    }
    func adaptiveMaxPool2d(_ input: Tensor, outputSize: [Int]) -> (output: Tensor, indices: Tensor) {
        note("adaptiveMaxPool2d", input); return cpu.adaptiveMaxPool2d(input, outputSize: outputSize)
    }

    func batchNormStatistics(_ input: Tensor) -> (mean: [Double], variance: [Double]) {
        note("batchNormStatistics", input); return cpu.batchNormStatistics(input)
    }
    func batchNorm(_ input: Tensor, weight: Tensor?, bias: Tensor?, _ statistics: NormStatistics) -> Tensor {
        note("batchNorm", input, weight, bias); return cpu.batchNorm(input, weight: weight, bias: bias, statistics)
    }
    func batchNormBackward(input: Tensor, weight: Tensor?, gradOutput: Tensor, _ statistics: NormStatistics, training: Bool,
                           needs: GradientNeeds) -> FusedGradients {
        note("batchNormBackward", input, weight, gradOutput)
        return cpu.batchNormBackward(input: input, weight: weight, gradOutput: gradOutput, statistics, training: training, needs: needs)
    }
    func layerNorm(_ input: Tensor, normalizedCount: Int, weight: Tensor?, bias: Tensor?, eps: Double) -> (output: Tensor, statistics: NormStatistics) {
        note("layerNorm", input, weight, bias); return cpu.layerNorm(input, normalizedCount: normalizedCount, weight: weight, bias: bias, eps: eps)
    }
    func layerNormBackward(input: Tensor, weight: Tensor?, gradOutput: Tensor, _ statistics: NormStatistics, normalizedCount: Int,
                           needs: GradientNeeds) -> FusedGradients {
        note("layerNormBackward", input, weight, gradOutput)
        return cpu.layerNormBackward(input: input, weight: weight, gradOutput: gradOutput, statistics, normalizedCount: normalizedCount, needs: needs)
    }

    func classLoss(_ input: Tensor, targets: Tensor, weight: Tensor?, _ options: ClassLossOptions) -> ClassLossResult {
        note("classLoss", input, targets, weight); return cpu.classLoss(input, targets: targets, weight: weight, options)
    }
    func classLossBackward(_ input: Tensor, targets: Tensor, weight: Tensor?, forward: ClassLossResult, rowGradient: Tensor,
                           rowGradientStride: Int, _ options: ClassLossOptions) -> Tensor {
        note("classLossBackward", input, targets, weight, rowGradient, forward.loss, forward.logSumExp)
        return cpu.classLossBackward(input, targets: targets, weight: weight, forward: forward, rowGradient: rowGradient,
                                     rowGradientStride: rowGradientStride, options)
    }

    func interpolate2d(_ input: Tensor, _ layout: InterpolationLayout) -> Tensor {
        note("interpolate2d", input); return cpu.interpolate2d(input, layout)
    }
    func interpolate2dBackward(_ gradOutput: Tensor, inputShape: [Int], _ layout: InterpolationLayout) -> Tensor {
        note("interpolate2dBackward", gradOutput); return cpu.interpolate2dBackward(gradOutput, inputShape: inputShape, layout)
    }

    func embedding(weight: Tensor, indices: Tensor) -> Tensor {
        note("embedding", weight, indices); return cpu.embedding(weight: weight, indices: indices)
    }
    func embeddingBackward(_ gradOutput: Tensor, indices: Tensor, rows: Int, paddingIndex: Int?) -> Tensor {
        note("embeddingBackward", gradOutput, indices); return cpu.embeddingBackward(gradOutput, indices: indices, rows: rows, paddingIndex: paddingIndex)
    }

    func gemmPackedPanelWidth(_ dtype: DType, rowsOfA: Int) -> Int? {
        note("gemmPackedPanelWidth"); return cpu.gemmPackedPanelWidth(dtype, rowsOfA: rowsOfA)
    }
    func gemm(_ a: Tensor, packed: PackedGemmOperand, into c: Tensor, beta: Double) {
        note("gemm", a, packed.packed, c); cpu.gemm(a, packed: packed, into: c, beta: beta)
    }
}
