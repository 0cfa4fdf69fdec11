// Second derivatives (createGraph) through convolutions, linear poolings, interpolation and F.pad, checked by
// finite differences of the first derivatives.
import Testing
import Ember
import EmberNN
import _EmberTestSupport

/// `gradgradcheck` as an expectation (the helper lives in _EmberTestSupport, shared with the op registry).
private func checkSecondOrder(_ inputs: [Tensor], _ label: String, sourceLocation: SourceLocation = #_sourceLocation,
                              _ f: @escaping ([Tensor]) -> Tensor) {
    let failure = gradgradcheck(inputs, f)
    #expect(failure == nil, "\(label): \(failure ?? "")", sourceLocation: sourceLocation)
}

@Suite("Second derivatives")
struct SecondOrderTests {
    struct ConvCase: CustomStringConvertible, Sendable {
        var stride: [Int], padding: ConvPadding, dilation: [Int], groups: Int, kernel: [Int]
        var description: String { "s\(stride) p\(padding) d\(dilation) g\(groups) k\(kernel)" }
    }
    static let convCases: [ConvCase] = [
        ConvCase(stride: [1, 1], padding: .explicit([0]), dilation: [1, 1], groups: 1, kernel: [3, 3]),
        ConvCase(stride: [2, 1], padding: .explicit([1, 2]), dilation: [1, 1], groups: 2, kernel: [3, 2]),
        ConvCase(stride: [1, 1], padding: .explicit([1]), dilation: [2, 1], groups: 1, kernel: [2, 3]),
        // "same" with an even kernel pads asymmetrically (one more at the end).
        ConvCase(stride: [1, 1], padding: .same, dilation: [1, 1], groups: 1, kernel: [2, 4]),
        ConvCase(stride: [3, 2], padding: .explicit([1, 0]), dilation: [1, 2], groups: 2, kernel: [2, 2]),
    ]

    @Test("conv2d: second derivatives with respect to input, weight and bias", arguments: convCases)
    func conv2d(_ c: ConvCase) {
        let x = sample([2, 4, 6, 7], seed: 1), w = sample([4, 4 / c.groups, c.kernel[0], c.kernel[1]], seed: 2)
        let b = sample([4], seed: 3)
        // Squared so the first derivatives depend on the output (and so on every input) nonlinearly.
        checkSecondOrder([x, w, b], "\(c)") { u in
            F.conv2d(u[0], u[1], bias: u[2], stride: c.stride, padding: c.padding, dilation: c.dilation,
                     groups: c.groups).pow(2)
        }
    }

    @Test("conv_transpose2d: second derivatives with respect to input, weight and bias")
    func convTranspose2d() {
        let x = sample([2, 4, 4, 3], seed: 4), w = sample([4, 3, 3, 2], seed: 5), b = sample([6], seed: 6)
        checkSecondOrder([x, w, b], "stride, output padding, groups") { u in
            F.convTranspose2d(u[0], u[1], bias: u[2], stride: [2, 3], padding: [1, 0], outputPadding: [1, 2],
                              groups: 2, dilation: [1, 1]).pow(2)
        }
        checkSecondOrder([x, w], "dilation") { u in F.convTranspose2d(u[0], u[1], padding: 1, dilation: 2).pow(2) }
    }

    @Test("a gradient penalty through a small CNN trains: d/dθ ‖∂y/∂x‖² by finite differences")
    func gradientPenalty() {
        let x = sample([2, 1, 6, 6], seed: 7), w1 = sample([3, 1, 3, 3], seed: 8), w2 = sample([2, 3, 2, 2], seed: 9)
        #expect(gradcheck([w1, w2]) { t in
            enableGrad {
                let input = x.detach().requiresGrad_()
                let h = F.avgPool2d(F.conv2d(input, t[0], padding: 1).tanh(), kernelSize: 2)
                let y = F.conv2d(h, t[1]).sum()
                let gx = grad(of: [y], with: [input], createGraph: true)[0]!
                return gx.pow(2).sum()
            }
        } == nil)
    }

    @Test("linear ops: avg/adaptive pooling and interpolation differentiate their backward")
    func linearOps() {
        let x = sample([1, 2, 5, 6], seed: 10)
        let ops: [(String, @Sendable (Tensor) -> Tensor)] = [
            ("avg_pool2d", { F.avgPool2d($0, kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false) }),
            ("adaptive_avg_pool2d", { F.adaptiveAvgPool2d($0, outputSize: [3, 4]) }),
            ("nearest", { F.interpolate($0, size: [7, 9], mode: .nearest) }),
            ("bilinear", { F.interpolate($0, scaleFactor: 1.5, mode: .bilinear, alignCorners: false) }),
            ("pad", { F.pad($0, [1, -2, 2, 0]) }),
        ]
        for (name, op) in ops {
            checkSecondOrder([x], name) { op($0[0]).pow(2) }
        }
    }

    @Test("batch norm (training and eval, 2-d and 4-d) and layer norm")
    func normalization() {
        let x4 = sample([3, 2, 2, 3], seed: 11), x2 = sample([5, 3], seed: 12)
        let w2 = sample([2], seed: 13) + 1.5, b2 = sample([2], seed: 14), w3 = sample([3], seed: 15) + 1.5
        checkSecondOrder([x4, w2, b2], "batch norm, training") { u in
            F.batchNorm(u[0], runningMean: nil, runningVar: nil, weight: u[1], bias: u[2], training: true).pow(2)
        }
        checkSecondOrder([x2], "batch norm, training, 2-d, no affine") { u in
            F.batchNorm(u[0], runningMean: nil, runningVar: nil, training: true).pow(3)
        }
        let rm = sample([2], seed: 16), rv = sample([2], seed: 17).abs() + 0.5
        checkSecondOrder([x4, w2, b2], "batch norm, eval") { u in
            F.batchNorm(u[0], runningMean: rm, runningVar: rv, weight: u[1], bias: u[2], training: false).pow(2)
        }
        checkSecondOrder([x2, w3, sample([3], seed: 18)], "layer norm") { u in
            F.layerNorm(u[0], normalizedShape: [3], weight: u[1], bias: u[2]).pow(2)
        }
        checkSecondOrder([x4], "layer norm over 3 dims, no affine") { u in
            F.layerNorm(u[0], normalizedShape: [2, 2, 3]).pow(3)
        }
    }

    @Test("embedding, with a padding row")
    func embedding() {
        let table = sample([5, 3], seed: 19)
        let indices = Tensor([Int64(1), 4, 1, 0, 2, 4], shape: [2, 3])
        checkSecondOrder([table], "embedding") { F.embedding(indices, $0[0]).pow(2) }
        checkSecondOrder([table], "embedding, padding_idx 4") { F.embedding(indices, $0[0], paddingIdx: 4).pow(2) }
    }

    @Test("cross-entropy and NLL: weights, label smoothing, ignored targets, spatial targets, every reduction")
    func classLosses() {
        let logits = sample([4, 3], seed: 20), spatial = sample([2, 3, 2], seed: 21)
        let targets = Tensor([Int64(2), 0, 1, 2]), spatialTargets = Tensor([Int64(0), 2, -100, 1], shape: [2, 2])
        let weight = Tensor([0.5, 2.0, 1.25])
        for reduction in [F.Reduction.mean, .sum, .none] {
            // Scaled by the logits so the loss is not linear in a function of softmax alone.
            checkSecondOrder([logits], "cross_entropy \(reduction)") { u in
                F.crossEntropy(u[0], targets, weight: weight, reduction: reduction, labelSmoothing: 0.2) * u[0].sum()
            }
            checkSecondOrder([spatial], "cross_entropy spatial, ignore_index, \(reduction)") { u in
                F.crossEntropy(u[0], spatialTargets, reduction: reduction).pow(2)
            }
            checkSecondOrder([logits], "nll_loss \(reduction)") { u in
                F.nllLoss(F.logSoftmax(u[0], dim: 1), targets, weight: weight, reduction: reduction).pow(2)
            }
        }
    }

    @Test("F.pad pads and crops the last dimensions like torch.nn.functional.pad")
    func pad() {
        let x = Tensor((1...6).map(Double.init), shape: [1, 2, 3])
        // Last dim: 1 before, 0 after; middle dim: crop 1 before, pad 1 after (with 9).
        let y = F.pad(x, [1, 0, -1, 1], value: 9)
        #expect(y.shape == [1, 2, 4])
        #expect(y.scalars == [9, 4, 5, 6, 9, 9, 9, 9])
        #expect(gradcheck([x]) { F.pad($0[0], [2, 1, 1, -1]) } == nil)
    }
}
