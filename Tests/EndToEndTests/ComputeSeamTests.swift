// The compute seam: a LeNet and a tiny ResNet train a step on a second device whose backend only counts and
// forwards to the CPU's, and they give exactly the CPU run's numbers.
import Testing
import EmberKit
import _EmberTestSupport

/// The checking backend, registered once for the process on a device no other test uses. Every test that uses
/// it belongs to the serialized `ComputeSeamTests` suite (also extended in ComputeSeamPrimitiveTests.swift),
/// since its counters are shared.
let checkingBackend: CheckingBackend = {
    let b = CheckingBackend(device: .cuda(7))
    registerBackend(b)
    return b
}()
private var checking: CheckingBackend { checkingBackend }

/// A residual network in miniature: conv-bn-relu stem, one basic block, global average pool, linear head.
private final class TinyResNet: Module {
    let stem = Sequential { Conv2d(3, 8, kernelSize: 3, padding: 1, bias: false); BatchNorm2d(8); ReLU() }
    let block = Sequential {
        Conv2d(8, 8, kernelSize: 3, padding: 1, bias: false); BatchNorm2d(8); ReLU()
        Conv2d(8, 8, kernelSize: 3, padding: 1, bias: false); BatchNorm2d(8)
    }
    let head = Sequential { AdaptiveAvgPool2d(1); Flatten(); Linear(8, 10) }
    override func forward(_ x: Tensor) -> Tensor {
        let h = stem(x)
        return head((h + block(h)).relu())
    }
}

/// d2l's LeNet with one average and one max pool, so both pooling primitives run.
private func leNet() -> Module {
    Sequential {
        Conv2d(1, 6, kernelSize: 5, padding: 2); Sigmoid(); AvgPool2d(kernelSize: 2, stride: 2)
        Conv2d(6, 16, kernelSize: 5); Sigmoid(); MaxPool2d(kernelSize: 2, stride: 2)
        Flatten(); Linear(16 * 5 * 5, 120); Sigmoid(); Linear(120, 84); Sigmoid(); Linear(84, 10)
    }
}

/// One forward, backward and SGD step of `model` on `device`: returns the loss, and the parameters and
/// buffers afterwards, all as CPU values, plus the devices every tensor of the step ended up on.
private func trainStep(_ model: Module, input: Tensor, labels: Tensor, on device: Device)
    -> (loss: Double, state: [[Double]], devices: Set<Device>) {
    model.to(device)
    let optimizer = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
    let (loss, out) = withDevice(device) { () -> (Tensor, Tensor) in
        let out = model(input.to(device))
        let loss = F.crossEntropy(out, labels.to(device))
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        return (loss, out)
    }
    let tensors = [loss, out] + model.parameters() + model.parameters().compactMap { $0.grad } + model.namedBuffers().map { $0.1 }
    let state = (model.parameters() + model.namedBuffers().map { $0.1 }.filter { $0.dtype == .float32 })
        .map { $0.detach().to(.cpu).contiguous().scalars }
    return (loss.detach().to(.cpu).item(), state, Set(tensors.map { $0.device }))
}

@Suite("Compute seam", .serialized)
struct ComputeSeamTests {
    /// Runs `makeModel` twice from the same seed, once on the CPU and once on the checking device; returns
    /// the primitive calls of the checked run.
    private func checkedRun(_ makeModel: () -> Module, inputShape: [Int]) -> [String: Int] {
        let (input, labels) = withGenerator(Generator(seed: 11)) {
            (Tensor.randn(inputShape), Tensor.randint(high: 10, shape: [inputShape[0]]))
        }
        let reference = trainStep(withGenerator(Generator(seed: 5)) { makeModel() }, input: input, labels: labels, on: .cpu)
        checking.reset()
        let checked = trainStep(withGenerator(Generator(seed: 5)) { makeModel() }, input: input, labels: labels, on: checking.device)
        let calls = checking.calls
        #expect(checked.devices == [checking.device], "tensors of the step ended up on \(checked.devices)")
        #expect(checking.foreignTensors.isEmpty, "primitives given tensors of another device: \(checking.foreignTensors)")
        #expect(checked.loss == reference.loss)
        #expect(checked.state.count == reference.state.count)
        for (i, (a, b)) in zip(checked.state, reference.state).enumerated() {
            #expect(a == b, "parameter or buffer \(i) differs from the CPU run")
        }
        return calls
    }

    @Test func leNetTrainsThroughTheCheckingBackend() {
        let calls = checkedRun(leNet, inputShape: [4, 1, 28, 28])
        for primitive in ["allocate", "copyBytes", "convolution", "convolutionBackward", "avgPool2d", "avgPool2dBackward",
                          "maxPool2d", "maxPool2dBackward", "classLoss", "classLossBackward"] {
            #expect(calls[primitive, default: 0] > 0, "\(primitive) was not called")
        }
        #expect(calls["convolution"] == 2 && calls["convolutionBackward"] == 2)
    }

    @Test func tinyResNetTrainsThroughTheCheckingBackend() {
        let calls = checkedRun({ TinyResNet() }, inputShape: [2, 3, 8, 8])
        for primitive in ["allocate", "copyBytes", "convolution", "convolutionBackward", "batchNormStatistics", "batchNorm",
                          "batchNormBackward", "adaptiveAvgPool2d", "classLoss", "classLossBackward"] {
            #expect(calls[primitive, default: 0] > 0, "\(primitive) was not called")
        }
        #expect(calls["convolution"] == 3 && calls["batchNorm"] == 3 && calls["batchNormBackward"] == 3)
    }

    /// Without a registered backend, moving to a device still stops with the message users saw before.
    @Test func unregisteredDeviceStillFailsClearly() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.ones([2]).to(.cuda(0))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("device cuda:0 is not available: this build of Ember has only the CPU backend"))
    }
}
