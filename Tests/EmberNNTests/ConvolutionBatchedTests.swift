// conv2d over several images at once: the batched GEMM paths (small maps, dead padding taps, shifted copies).
import Testing
import Ember
import EmberNN
import _EmberTestSupport

/// Input and weight gradients of `Σ conv2d(x, w) · r`, by the definition (independent of the kernels).
func naiveConv2dGrads(_ x: Tensor, _ w: Tensor, _ r: Tensor, stride: [Int], padding: [Int], dilation: [Int],
                      groups: Int) -> (input: Tensor, weight: Tensor) {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let (outH, outW) = (r.shape[2], r.shape[3])
    let xs = x.scalars, ws = w.scalars, rs = r.scalars
    var gx = [Double](repeating: 0, count: xs.count), gw = [Double](repeating: 0, count: ws.count)
    let og = o / groups
    for b in 0..<n { for oc in 0..<o {
        let gi = oc / og
        for oy in 0..<outH { for ox in 0..<outW {
            let g = rs[((b * o + oc) * outH + oy) * outW + ox]
            for ic in 0..<cg { for i in 0..<kh { for j in 0..<kw {
                let y = oy * stride[0] - padding[0] + i * dilation[0], xx = ox * stride[1] - padding[1] + j * dilation[1]
                guard y >= 0 && y < h && xx >= 0 && xx < wd else { continue }
                let xi = ((b * c + gi * cg + ic) * h + y) * wd + xx, wi = ((oc * cg + ic) * kh + i) * kw + j
                gx[xi] += g * ws[wi]
                gw[wi] += g * xs[xi]
            } } }
        } }
    } }
    return (Tensor(gx, shape: x.shape), Tensor(gw, shape: w.shape))
}

@Suite("Convolution, batched")
struct ConvolutionBatchedTests {
    struct Case: CustomStringConvertible, Sendable {
        var input: [Int], outChannels: Int, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], groups: Int
        var description: String { "x\(input) o\(outChannels) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups)" }
    }
    static let cases: [Case] = [
        // 3×3 "same" on a 6×7 map: the shifted-span copy (42 outputs per image).
        Case(input: [3, 4, 6, 7], outChannels: 5, kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1),
        // Dilated "same" with groups: shifted spans with a dilation-2 tap offset.
        Case(input: [3, 4, 6, 5], outChannels: 4, kernel: [3, 3], stride: [1, 1], padding: [2, 2], dilation: [2, 2], groups: 2),
        // Stride 2 on a 10×9 map: row-by-row copies (25 outputs).
        Case(input: [4, 3, 10, 9], outChannels: 4, kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1),
        // 2×2 maps: the per-position source table.
        Case(input: [5, 6, 2, 2], outChannels: 3, kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1),
        // 1×1 maps: 8 of 9 taps see only padding and leave the GEMM.
        Case(input: [5, 6, 1, 1], outChannels: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2),
        // 2×2 → 1×1 with stride 2: the first row and column of taps are dead (ResNet's layer4 entry).
        Case(input: [3, 4, 2, 2], outChannels: 6, kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1),
        // 1×1 stride-1 kernel (identity columns) and 1×1 stride 2 (the downsample shortcut).
        Case(input: [3, 4, 5, 5], outChannels: 3, kernel: [1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1),
        Case(input: [3, 4, 5, 5], outChannels: 3, kernel: [1, 1], stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 1),
        // 32+ output channels per group with few columns take the direct (untransposed) weight-gradient product.
        Case(input: [3, 3, 4, 4], outChannels: 32, kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1),
        Case(input: [3, 4, 1, 1], outChannels: 66, kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2),
        Case(input: [2, 3, 2, 2], outChannels: 40, kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1),
        // 32 output channels against 72 column rows over 256 columns: the transposed product moves fewer elements.
        Case(input: [4, 8, 8, 8], outChannels: 32, kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1),
        // Asymmetric kernel and stride, non-square map.
        Case(input: [2, 2, 9, 12], outChannels: 3, kernel: [2, 5], stride: [1, 2], padding: [1, 2], dilation: [1, 1], groups: 1),
    ]

    @Test(arguments: cases)
    func forwardAndGradientsMatchTheDefinition(_ c: Case) {
        let x = sample(c.input, seed: 31).requiresGrad_()
        let w = sample([c.outChannels, c.input[1] / c.groups, c.kernel[0], c.kernel[1]], seed: 32).requiresGrad_()
        let b = sample([c.outChannels], seed: 33).requiresGrad_()
        let y = F.conv2d(x, w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        let outH = (c.input[2] + 2 * c.padding[0] - c.dilation[0] * (c.kernel[0] - 1) - 1) / c.stride[0] + 1
        let outW = (c.input[3] + 2 * c.padding[1] - c.dilation[1] * (c.kernel[1] - 1) - 1) / c.stride[1] + 1
        let ref = naiveConv2d(x.detach(), w.detach(), bias: b.detach(), stride: c.stride, padTop: c.padding[0], padLeft: c.padding[1],
                              outH: outH, outW: outW, dilation: c.dilation, groups: c.groups)
        #expect(closeness(y, ref, rtol: 1e-12, atol: 1e-12, label: "forward \(c)") == nil)

        let r = sample(y.shape, seed: 34)
        (y * r).sum().backward()
        let expected = naiveConv2dGrads(x.detach(), w.detach(), r, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        #expect(closeness(x.grad!, expected.input, rtol: 1e-12, atol: 1e-12, label: "input grad \(c)") == nil)
        #expect(closeness(w.grad!, expected.weight, rtol: 1e-12, atol: 1e-12, label: "weight grad \(c)") == nil)
        #expect(closeness(b.grad!, r.sum(dims: [0, 2, 3]), rtol: 1e-12, atol: 1e-12, label: "bias grad \(c)") == nil)
    }

    @Test func float32BatchedGradientsMatchFloat64() {
        // ResNet-like shapes in float32 against the float64 result.
        for (shape, stride) in [([8, 16, 4, 4], 1), ([8, 16, 1, 1], 1), ([8, 16, 2, 2], 2), ([4, 8, 8, 8], 1)] {
            let x64 = sample(shape, seed: 41), w64 = sample([12, shape[1], 3, 3], seed: 42)
            let x32 = x64.float().requiresGrad_(), w32 = w64.float().requiresGrad_()
            let xr = x64.requiresGrad_(), wr = w64.requiresGrad_()
            let y32 = F.conv2d(x32, w32, stride: stride, padding: 1), y64 = F.conv2d(xr, wr, stride: stride, padding: 1)
            #expect(closeness(y32, y64, rtol: 1e-4, atol: 1e-4, label: "forward \(shape)") == nil)
            let r = sample(y64.shape, seed: 43)
            (y32 * r.float()).sum().backward()
            (y64 * r).sum().backward()
            #expect(closeness(x32.grad!, xr.grad!, rtol: 1e-4, atol: 1e-4, label: "input grad \(shape)") == nil)
            #expect(closeness(w32.grad!, wr.grad!, rtol: 1e-4, atol: 1e-4, label: "weight grad \(shape)") == nil)
        }
    }

    @Test func oneLargeImageIsMultipliedInBandsOfOutputRows() {
        // One image whose column matrix exceeds the 2 MB budget (144 × 70·66 and 144 × 70·65 values) is unfolded
        // and multiplied in bands of output rows (55 + 15 and 56 + 14): with 20 output channels the columns
        // are written packed, with 4 row-major. Float32 and float64 against the definition.
        for (input, stride, outChannels) in [([1, 16, 70, 66], 1, 20), ([1, 16, 70, 66], 1, 4), ([1, 16, 140, 130], 2, 20)] {
            let x = sample(input, seed: 44), w = sample([outChannels, 16, 3, 3], seed: 45), b = sample([outChannels], seed: 46)
            let outH = (input[2] + 2 - 3) / stride + 1, outW = (input[3] + 2 - 3) / stride + 1
            let ref = naiveConv2d(x, w, bias: b, stride: [stride, stride], padTop: 1, padLeft: 1, outH: outH, outW: outW,
                                  dilation: [1, 1], groups: 1)
            let y64 = F.conv2d(x, w, bias: b, stride: stride, padding: 1)
            #expect(closeness(y64, ref, rtol: 1e-12, atol: 1e-12, label: "float64 \(input) o\(outChannels)") == nil)
            let y32 = F.conv2d(x.float(), w.float(), bias: b.float(), stride: stride, padding: 1)
            #expect(closeness(y32.double(), ref, rtol: 1e-4, atol: 1e-4, label: "float32 \(input) o\(outChannels)") == nil)
        }
    }

    @Test func batchedBackwardGradchecks() {
        #expect(gradcheck([sample([3, 2, 3, 3], seed: 51), sample([2, 2, 3, 3], seed: 52)]) {
            F.conv2d($0[0], $0[1], padding: 1)
        } == nil)
        #expect(gradcheck([sample([3, 2, 1, 1], seed: 53), sample([2, 2, 3, 3], seed: 54)]) {
            F.conv2d($0[0], $0[1], padding: 1)
        } == nil)
    }
}
