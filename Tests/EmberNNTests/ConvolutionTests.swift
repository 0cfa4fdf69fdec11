// conv1d / conv2d / conv_transpose2d: naive-loop parity over argument combinations, gradchecks, node names.
import Testing
import Ember
import EmberNN
import _EmberTestSupport

@Suite("Convolution")
struct ConvolutionTests {
    struct Combo: CustomStringConvertible, Sendable {
        var stride: [Int], padding: [Int], dilation: [Int], groups: Int, kernel: [Int]
        var description: String { "s\(stride) p\(padding) d\(dilation) g\(groups) k\(kernel)" }
    }
    static let combos: [Combo] = [
        Combo(stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, kernel: [3, 3]),
        Combo(stride: [2, 1], padding: [1, 2], dilation: [1, 1], groups: 1, kernel: [3, 2]),
        Combo(stride: [1, 1], padding: [2, 2], dilation: [2, 2], groups: 2, kernel: [3, 3]),
        Combo(stride: [3, 2], padding: [1, 0], dilation: [1, 2], groups: 4, kernel: [2, 3]),
        Combo(stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, kernel: [1, 1]),
        Combo(stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 2, kernel: [1, 1]),
    ]

    @Test(arguments: combos)
    func conv2dMatchesNaiveLoopsAndGradchecks(_ c: Combo) {
        let x = sample([2, 4, 7, 6], seed: 3), w = sample([4, 4 / c.groups, c.kernel[0], c.kernel[1]], seed: 4), b = sample([4], seed: 5)
        let y = F.conv2d(x, w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        let outH = (7 + 2 * c.padding[0] - c.dilation[0] * (c.kernel[0] - 1) - 1) / c.stride[0] + 1
        let outW = (6 + 2 * c.padding[1] - c.dilation[1] * (c.kernel[1] - 1) - 1) / c.stride[1] + 1
        let ref = naiveConv2d(x, w, bias: b, stride: c.stride, padTop: c.padding[0], padLeft: c.padding[1],
                              outH: outH, outW: outW, dilation: c.dilation, groups: c.groups)
        #expect(closeness(y, ref, rtol: 1e-12, atol: 1e-12, label: "\(c)") == nil)
        // The small gradcheck has 2 output channels, so it uses at most 2 groups.
        let g = Swift.min(c.groups, 2)
        let xs = sample([1, 4, 5, 6], seed: 6), wsg = sample([2, 4 / g, c.kernel[0], c.kernel[1]], seed: 7)
        #expect(gradcheck([xs, wsg, sample([2], seed: 8)]) {
            F.conv2d($0[0], $0[1], bias: $0[2], stride: c.stride, padding: c.padding, dilation: c.dilation, groups: g)
        } == nil)
    }

    @Test func samePaddingIsAsymmetricForEvenKernels() {
        // k = 4, d = 1: total padding 3 → 1 before, 2 after (PyTorch's split).
        let x = sample([1, 2, 6, 5], seed: 9), w = sample([3, 2, 4, 2], seed: 10)
        let y = F.conv2d(x, w, padding: "same")
        #expect(y.shape == [1, 3, 6, 5])
        let ref = naiveConv2d(x, w, stride: [1, 1], padTop: 1, padLeft: 0, outH: 6, outW: 5, dilation: [1, 1], groups: 1)
        #expect(closeness(y, ref, rtol: 1e-12, atol: 1e-12) == nil)
        #expect(gradcheck([sample([1, 2, 4, 3], seed: 11), sample([2, 2, 4, 2], seed: 12)]) { F.conv2d($0[0], $0[1], padding: ConvPadding.same) } == nil)
        #expect(F.conv2d(x, w, padding: "valid").shape == [1, 3, 3, 4])
    }

    @Test func conv2dRecordsConvolutionBackward0AndAcceptsUnbatchedInput() {
        let x = sample([3, 5, 5]).requiresGrad_(), w = sample([2, 3, 3, 3], seed: 2)
        let y = F.conv2d(x, w, padding: 1)
        #expect(y.shape == [2, 5, 5])
        #expect(F.conv2d(x.unsqueeze(0), w, padding: 1).gradFn?.name == "ConvolutionBackward0")
        y.sum().backward()
        #expect(x.grad?.shape == [3, 5, 5])
    }

    @Test func float32MatchesFloat64() {
        let x = sample([2, 3, 6, 6], seed: 13), w = sample([4, 3, 3, 3], seed: 14)
        let y64 = F.conv2d(x, w, stride: 2, padding: 1)
        let y32 = F.conv2d(x.float(), w.float(), stride: 2, padding: 1)
        #expect(y32.dtype == .float32)
        #expect(closeness(y32, y64, rtol: 1e-5, atol: 1e-5) == nil)
    }

    @Test func conv1dMatchesConv2dOnAHeightOneImage() {
        let x = sample([2, 4, 9], seed: 15), w = sample([6, 2, 3], seed: 16)
        let y = F.conv1d(x, w, stride: 2, padding: 2, dilation: 2, groups: 2)
        let ref = naiveConv2d(x.unsqueeze(2), w.unsqueeze(2), stride: [1, 2], padTop: 0, padLeft: 2,
                              outH: 1, outW: (9 + 4 - 4 - 1) / 2 + 1, dilation: [1, 2], groups: 2).squeeze(2)
        #expect(closeness(y, ref, rtol: 1e-12, atol: 1e-12) == nil)
        #expect(gradcheck([sample([1, 4, 7], seed: 17), sample([2, 2, 3], seed: 18), sample([2], seed: 19)]) {
            F.conv1d($0[0], $0[1], bias: $0[2], stride: 2, padding: 1, dilation: 2, groups: 2)
        } == nil)
        #expect(F.conv1d(x, w, padding: "same", groups: 2).shape == [2, 6, 9])
    }

    struct TCombo: CustomStringConvertible, Sendable {
        var stride: [Int], padding: [Int], outputPadding: [Int], dilation: [Int], groups: Int
        var description: String { "s\(stride) p\(padding) op\(outputPadding) d\(dilation) g\(groups)" }
    }
    static let transposeCombos: [TCombo] = [
        TCombo(stride: [1, 1], padding: [0, 0], outputPadding: [0, 0], dilation: [1, 1], groups: 1),
        TCombo(stride: [2, 2], padding: [1, 1], outputPadding: [1, 0], dilation: [1, 1], groups: 1),
        TCombo(stride: [2, 3], padding: [0, 1], outputPadding: [0, 2], dilation: [2, 1], groups: 2),
        TCombo(stride: [1, 1], padding: [1, 1], outputPadding: [1, 1], dilation: [2, 2], groups: 2),
    ]

    @Test(arguments: transposeCombos)
    func convTranspose2dMatchesNaiveLoopsAndGradchecks(_ c: TCombo) {
        let x = sample([2, 4, 4, 3], seed: 20), w = sample([4, 3, 3, 2], seed: 21), b = sample([3 * c.groups], seed: 22)
        let y = F.convTranspose2d(x, w, bias: b, stride: c.stride, padding: c.padding, outputPadding: c.outputPadding,
                                  groups: c.groups, dilation: c.dilation)
        let ref = naiveConvTranspose2d(x, w, stride: c.stride, padding: c.padding, outputPadding: c.outputPadding,
                                       dilation: c.dilation, groups: c.groups) + b.view([1, -1, 1, 1])
        #expect(closeness(y, ref, rtol: 1e-12, atol: 1e-12, label: "\(c)") == nil)
        #expect(y.gradFn == nil)
        #expect(gradcheck([sample([1, 2, 3, 3], seed: 23), sample([2, 2, 2, 3], seed: 24), sample([2 * c.groups], seed: 25)]) {
            F.convTranspose2d($0[0], $0[1], bias: $0[2], stride: c.stride, padding: c.padding, outputPadding: c.outputPadding,
                              groups: c.groups, dilation: c.dilation)
        } == nil)
    }

}
