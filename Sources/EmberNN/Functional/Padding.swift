// F.pad: constant padding (and cropping, with negative amounts) of the last dimensions.
import Ember

extension F {
    /// Pads the last dimensions with `value`, matching `torch.nn.functional.pad` in `"constant"` mode.
    ///
    /// `pad` lists `(before, after)` pairs starting from the last dimension: `[left, right]` pads the last,
    /// `[left, right, top, bottom]` the last two. Negative amounts crop, as in PyTorch. Differentiable (the
    /// gradient is the matching slice of the output gradient, itself differentiable).
    ///
    /// ```swift
    /// let y = F.pad(Tensor.ones([1, 1, 2, 2]), [1, 1, 0, 2])   // [1, 1, 4, 4]
    /// ```
    public static func pad(_ input: Tensor, _ pad: [Int], value: Double = 0) -> Tensor {
        let op = "constant_pad_nd"
        emberCheck(pad.count % 2 == 0, op, "Padding length must be divisible by 2")
        emberCheck(pad.count / 2 <= input.rank, op,
                   "Padding length should be less than or equal to two times the input dimension but got padding length \(pad.count) and input of dimension \(input.rank)")
        // Crops (negative amounts) are views of the input; the rest is a copy into a filled tensor.
        var cropped = input
        var outShape = input.shape, offsets = [Int](repeating: 0, count: input.rank)
        for i in 0..<(pad.count / 2) {
            let d = input.rank - 1 - i, before = pad[2 * i], after = pad[2 * i + 1]
            let size = input.shape[d] + before + after
            emberCheck(size >= 0, op, "The input size \(input.shape[d]), plus negative padding \(before) and \(after) resulted in a negative output size, which is invalid. Check dimension \(d) of your input.")
            let start = Swift.max(0, -before), kept = input.shape[d] - start - Swift.max(0, -after)
            if start != 0 || kept != input.shape[d] { cropped = cropped.narrow(d, start: start, length: Swift.max(0, kept)) }
            outShape[d] = size
            offsets[d] = Swift.max(0, before)
        }
        let out = Tensor.full(outShape, value, dtype: input.dtype)
        let keptShape = cropped.shape
        func window(_ t: Tensor) -> Tensor {
            var v = t
            for d in 0..<t.rank where offsets[d] != 0 || keptShape[d] != t.shape[d] {
                v = v.narrow(d, start: offsets[d], length: keptShape[d])
            }
            return v
        }
        if cropped.numel > 0 { noGrad { _ = window(out).copy_(cropped.detach()) } }
        return record(out, "ConstantPadNdBackward0", inputs: [cropped]) { g in [window(g)] }
    }
}
