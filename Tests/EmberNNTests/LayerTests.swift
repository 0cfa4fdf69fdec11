// Every layer module: finite-difference gradcheck of its forward (input and parameters), printed form, modes.
import Testing
import Ember
@testable import EmberNN
import _EmberTestSupport

/// Gradchecks `layer` w.r.t. its input and every parameter, in float64.
func layerGradcheck(_ layer: Module, input: Tensor, differentiableInput: Bool = true) -> String? {
    let params = layer.parameters()
    let inputs = (differentiableInput ? [input] : []) + params
    return gradcheck(inputs) { xs in
        // Swap the float64 copies gradcheck made into the layer for the duration of the call.
        let offset = differentiableInput ? 1 : 0
        let out = layer.forwardWithParameters(Array(xs[offset...]), input: differentiableInput ? xs[0] : input)
        return out
    }
}

extension Module {
    /// Runs forward with the given tensors standing in for this module's parameters (same order as `parameters()`).
    func forwardWithParameters(_ replacements: [Tensor], input: Tensor) -> Tensor {
        let slots = namedSlots().filter { !$0.1.isBuffer }
        let originals = slots.map { $0.1.tensor }
        for ((_, slot), r) in zip(slots, replacements) { slot.replace(r) }
        defer { for ((_, slot), o) in zip(slots, originals) { slot.replace(o) } }
        return self(input)
    }
}

@Suite("Layers")
struct LayerTests {
    @Test func convolutionLayersGradcheck() {
        manualSeed(1)
        #expect(layerGradcheck(Conv2d(2, 3, kernelSize: 3, stride: 2, padding: 1, dtype: .float64), input: Tensor.randn([2, 2, 5, 5], dtype: .float64)) == nil)
        #expect(layerGradcheck(Conv2d(4, 4, kernelSize: [1, 3], padding: "same", groups: 2, dtype: .float64), input: Tensor.randn([1, 4, 3, 4], dtype: .float64)) == nil)
        #expect(layerGradcheck(Conv1d(2, 3, kernelSize: 3, padding: 1, dtype: .float64), input: Tensor.randn([2, 2, 6], dtype: .float64)) == nil)
        #expect(layerGradcheck(ConvTranspose2d(2, 3, kernelSize: 3, stride: 2, padding: 1, dtype: .float64), input: Tensor.randn([1, 2, 3, 3], dtype: .float64)) == nil)
    }
    @Test func parameterSubstitutionIsReal() {
        // Guards the helper above: zeroed stand-ins must change the output, else the gradchecks would be vacuous.
        let l = Linear(3, 2, dtype: .float64)
        let out = l.forwardWithParameters([Tensor.zeros([2, 3], dtype: .float64), Tensor.ones([2], dtype: .float64)], input: Tensor.randn([4, 3], dtype: .float64))
        #expect(out.scalars.allSatisfy { $0 == 1 })
        #expect(l.weight.dtype == .float64 && l.weight.requiresGrad)
    }
    @Test func normalizationLayersGradcheck() {
        manualSeed(2)
        let bn = BatchNorm2d(3, dtype: .float64)
        noGrad { bn.weight!.copy_(Tensor.rand([3], dtype: .float64) + 0.5); bn.bias!.copy_(Tensor.randn([3], dtype: .float64)) }
        #expect(layerGradcheck(bn, input: Tensor.randn([4, 3, 2, 2], dtype: .float64)) == nil)
        bn.eval()
        #expect(layerGradcheck(bn, input: Tensor.randn([4, 3, 2, 2], dtype: .float64)) == nil)
        #expect(layerGradcheck(BatchNorm1d(3, dtype: .float64), input: Tensor.randn([5, 3], dtype: .float64)) == nil)
        #expect(layerGradcheck(LayerNorm([4], dtype: .float64), input: Tensor.randn([3, 4], dtype: .float64)) == nil)
    }
    @Test func otherLayersGradcheck() {
        manualSeed(3)
        let x = Tensor.randn([2, 3, 6, 6], dtype: .float64)
        #expect(layerGradcheck(MaxPool2d(kernelSize: 3, stride: 2, padding: 1), input: x) == nil)
        #expect(layerGradcheck(AvgPool2d(kernelSize: 2), input: x) == nil)
        #expect(layerGradcheck(AdaptiveAvgPool2d(2, 3), input: x) == nil)
        #expect(layerGradcheck(Linear(6, 2, dtype: .float64), input: x) == nil)
        #expect(layerGradcheck(Embedding(5, 3, dtype: .float64), input: tensor([[0, 4], [4, 2]]), differentiableInput: false) == nil)
        for act in [ReLU(), Sigmoid(), Tanh(), GELU(), LeakyReLU(0.2), ELU(), Softplus(), SiLU(), Softmax(dim: 1), LogSoftmax(dim: -1)] as [Module] {
            #expect(layerGradcheck(act, input: x) == nil, "\(act.typeName)")
        }
    }
    @Test func batchNormTracksRunningStatistics() {
        // Hand derivation: batch [0, 2] per channel → mean 1, unbiased var 2; momentum 0.1 from (0, 1).
        let bn = BatchNorm1d(1)
        _ = bn(tensor([[0.0], [2.0]]))
        #expect(closeness(bn.runningMean!, tensor([0.1]), rtol: 1e-6) == nil)
        #expect(closeness(bn.runningVar!, tensor([0.9 + 0.2]), rtol: 1e-6) == nil)
        #expect(bn.numBatchesTracked!.item(as: Int.self) == 1)
        bn.eval()
        let y = bn(tensor([[0.1]]))
        #expect(Swift.abs(y.item()) < 1e-6)   // (0.1 - running mean 0.1) / sqrt(1.1 + eps)
    }
    @Test func dropoutOnlyInTraining() {
        let d = Dropout(0.5)
        let x = Tensor.ones([1000])
        manualSeed(0)
        let kept = d(x).scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { $0 == 2 } && kept.count > 430 && kept.count < 570)  // Binomial(1000, 0.5): sd ≈ 16
        d.eval()
        #expect(d(x) === x)
    }
    @Test func layersPrintLikePyTorch() {
        // Strings printed by PyTorch 2.13 for the same layers.
        #expect(Conv2d(1, 6, kernelSize: 5, padding: 2).description == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))")
        #expect(Conv2d(3, 8, kernelSize: 3, stride: 2, bias: false).description == "Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), bias=False)")
        #expect(BatchNorm2d(16).description == "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)")
        #expect(MaxPool2d(kernelSize: 3, stride: 2, padding: 1).description == "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)")
        #expect(AvgPool2d(kernelSize: 2, stride: 2).description == "AvgPool2d(kernel_size=2, stride=2, padding=0)")
        #expect(AdaptiveAvgPool2d(1, 1).description == "AdaptiveAvgPool2d(output_size=(1, 1))")
        #expect(Dropout(0.5).description == "Dropout(p=0.5, inplace=False)")
    }
}
