// Helpers for the functional tests: deterministic inputs and naive reference loops (independent of the kernels).
import Ember
import EmberNN


/// Direct 7-loop 2-d convolution (cross-correlation) with per-side padding, as the definition reads.
func naiveConv2d(_ x: Tensor, _ w: Tensor, bias: Tensor? = nil, stride: [Int], padTop: Int, padLeft: Int,
                 outH: Int, outW: Int, dilation: [Int], groups: Int) -> Tensor {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let xs = x.scalars, ws = w.scalars, bs = bias?.scalars
    let og = o / groups
    var out = [Double](repeating: 0, count: n * o * outH * outW)
    for b in 0..<n { for oc in 0..<o {
        let gi = oc / og
        for oy in 0..<outH { for ox in 0..<outW {
            var acc = bs?[oc] ?? 0
            for ic in 0..<cg { for i in 0..<kh { for j in 0..<kw {
                let y = oy * stride[0] - padTop + i * dilation[0], xx = ox * stride[1] - padLeft + j * dilation[1]
                guard y >= 0 && y < h && xx >= 0 && xx < wd else { continue }
                acc += xs[((b * c + gi * cg + ic) * h + y) * wd + xx] * ws[((oc * cg + ic) * kh + i) * kw + j]
            } } }
            out[((b * o + oc) * outH + oy) * outW + ox] = acc
        } }
    } }
    _ = c
    return Tensor(out, shape: [n, o, outH, outW])
}

/// Direct transposed convolution: every input pixel scatters its weighted kernel into the output.
func naiveConvTranspose2d(_ x: Tensor, _ w: Tensor, stride: [Int], padding: [Int], outputPadding: [Int],
                          dilation: [Int], groups: Int) -> Tensor {
    let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (_, coutg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let cout = coutg * groups, cing = cin / groups
    let oh = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + outputPadding[0] + 1
    let ow = (wd - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + outputPadding[1] + 1
    let xs = x.scalars, ws = w.scalars
    var out = [Double](repeating: 0, count: n * cout * oh * ow)
    for b in 0..<n { for ic in 0..<cin {
        let gi = ic / cing
        for y in 0..<h { for xx in 0..<wd {
            let v = xs[((b * cin + ic) * h + y) * wd + xx]
            for oc in 0..<coutg { for i in 0..<kh { for j in 0..<kw {
                let oy = y * stride[0] - padding[0] + i * dilation[0], ox = xx * stride[1] - padding[1] + j * dilation[1]
                guard oy >= 0 && oy < oh && ox >= 0 && ox < ow else { continue }
                out[((b * cout + gi * coutg + oc) * oh + oy) * ow + ox] += v * ws[((ic * coutg + oc) * kh + i) * kw + j]
            } } }
        } }
    } }
    return Tensor(out, shape: [n, cout, oh, ow])
}
