// Every fused primitive family through the checking backend: forward and backward on its device equal the
// CPU run's, and the primitive was called.
import Testing
import EmberKit
import _EmberTestSupport

/// An op under test: its float inputs' shapes, the function, and the primitives it must call.
struct SeamCase: Sendable, CustomTestStringConvertible {
    let name: String
    let shapes: [[Int]]
    let primitives: [String]
    let op: @Sendable ([Tensor]) -> Tensor
    var testDescription: String { name }
}

private let seamCases: [SeamCase] = [
    SeamCase(name: "conv_transpose2d", shapes: [[2, 3, 5, 5], [3, 4, 3, 3], [4]],
             primitives: ["convolutionTransposed", "convolutionTransposedBackward"]) {
        F.convTranspose2d($0[0], $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
    },
    SeamCase(name: "layer_norm", shapes: [[4, 3, 6], [6], [6]], primitives: ["layerNorm", "layerNormBackward"]) {
        F.layerNorm($0[0], normalizedShape: [6], weight: $0[1], bias: $0[2])
    },
    SeamCase(name: "batch_norm eval", shapes: [[4, 3, 5], [3], [3]], primitives: ["batchNorm", "batchNormBackward"]) {
        F.batchNorm($0[0], runningMean: Tensor([0.5, -1, 2] as [Float]), runningVar: Tensor([1, 4, 0.25] as [Float]),
                    weight: $0[1], bias: $0[2], training: false)
    },
    SeamCase(name: "interpolate bilinear", shapes: [[1, 2, 4, 4]], primitives: ["interpolate2d", "interpolate2dBackward"]) {
        F.interpolate($0[0], size: [7, 5], mode: .bilinear, alignCorners: false)
    },
    SeamCase(name: "interpolate nearest", shapes: [[2, 1, 3, 5]], primitives: ["interpolate2d", "interpolate2dBackward"]) {
        F.interpolate($0[0], scaleFactor: 2, mode: .nearest)
    },
    SeamCase(name: "adaptive_max_pool2d", shapes: [[2, 3, 7, 7]], primitives: ["adaptiveMaxPool2d", "maxPool2dBackward"]) {
        F.adaptiveMaxPool2d($0[0], outputSize: [3, 2])
    },
    SeamCase(name: "adaptive_avg_pool2d", shapes: [[2, 3, 7, 7]], primitives: ["adaptiveAvgPool2d", "adaptiveAvgPool2dBackward"]) {
        F.adaptiveAvgPool2d($0[0], outputSize: [3, 2])
    },
    SeamCase(name: "embedding", shapes: [[10, 4]], primitives: ["embedding", "embeddingBackward"]) {
        F.embedding(Tensor([1, 3, 3, 9, 0, 2] as [Int], shape: [2, 3]), $0[0], paddingIdx: 3)
    },
    SeamCase(name: "nll_loss", shapes: [[5, 4]], primitives: ["classLoss", "classLossBackward"]) {
        F.nllLoss(F.logSoftmax($0[0], dim: 1), Tensor([0, 3, 1, 1, 2] as [Int]), reduction: .none)
    },
    SeamCase(name: "cross_entropy smoothed 2-d", shapes: [[2, 4, 3, 2]], primitives: ["classLoss", "classLossBackward"]) {
        F.crossEntropy($0[0], Tensor([0, 3, 1, 1, 2, 0, 2, 2, 3, 1, 0, 0] as [Int], shape: [2, 3, 2]), labelSmoothing: 0.1)
    },
]

/// Part of the serialized "Compute seam" suite: the checking backend's counters are shared.
extension ComputeSeamTests {
    /// `op` forward and backward (of the sum of squares) on `device`: the output and the inputs' gradients, on the CPU.
    private func run(_ seamCase: SeamCase, on device: Device) -> [[Double]] {
        let inputs = withGenerator(Generator(seed: 3)) { seamCase.shapes.map { Tensor.randn($0) } }
            .map { $0.to(device).requiresGrad_() }
        let out = withDevice(device) { () -> Tensor in
            let out = seamCase.op(inputs)
            (out * out).sum().backward()
            return out
        }
        return ([out] + inputs.map { $0.grad! }).map { $0.detach().to(.cpu).contiguous().scalars }
    }

    @Test(arguments: seamCases)
    func primitiveRunsThroughTheCheckingBackend(_ seamCase: SeamCase) {
        let reference = run(seamCase, on: .cpu)
        checkingBackend.reset()
        let checked = run(seamCase, on: checkingBackend.device)
        let calls = checkingBackend.calls
        #expect(checkingBackend.foreignTensors.isEmpty, "primitives given tensors of another device: \(checkingBackend.foreignTensors)")
        for primitive in seamCase.primitives {
            #expect(calls[primitive, default: 0] > 0, "\(primitive) was not called")
        }
        #expect(checked.count == reference.count)
        for (i, (a, b)) in zip(checked, reference).enumerated() {
            #expect(a == b, "\(i == 0 ? "output" : "gradient of input \(i - 1)") differs from the CPU run")
        }
    }

    /// An LSTM over a batch large enough for the packed recurrent GEMM runs it through the checking backend.
    @Test func lstmUsesThePackedGemmOfTheCheckingBackend() {
        func run(on device: Device) -> [[Double]] {
            let lstm = withGenerator(Generator(seed: 8)) { LSTM(6, 16) }.to(device)
            let x = withGenerator(Generator(seed: 9)) { Tensor.randn([5, 32, 6]) }.to(device)
            withDevice(device) { lstm(x).sum().backward() }
            return lstm.parameters().map { $0.grad!.to(.cpu).contiguous().scalars }
        }
        let reference = run(on: .cpu)
        checkingBackend.reset()
        let checked = run(on: checkingBackend.device)
        #expect(checkingBackend.calls["gemm", default: 0] > 0)
        #expect(checkingBackend.foreignTensors.isEmpty)
        #expect(checked == reference)
    }
}
