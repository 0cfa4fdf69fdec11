// Printing: `print(x)` gives PyTorch's repr (`tensor([[1., 2.], ...])`), following torch/_tensor_str.py.
import Foundation

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// The tensor as PyTorch's `repr` / `print(x)` shows it, with PyTorch's default print options.
    ///
    /// Follows `torch/_tensor_str.py`: 4 decimals; integer-valued floats as `1.`; scientific notation when
    /// the largest/smallest nonzero magnitude ratio exceeds 1000, the largest exceeds 1e8 or the smallest
    /// is below 1e-4; columns aligned to the widest value; lines wrapped at 80 characters; more than 1000
    /// elements summarized with `...` (3 edge items); a `dtype=` suffix unless float32, int64 or bool;
    /// `requires_grad=True` for leaves and `grad_fn=<Name>` for op results. float16/bfloat16 values are
    /// formatted through float32, as PyTorch does.
    ///
    /// ```swift
    /// print(tensor([[1.0, 2], [3, 4]]))
    /// // tensor([[1., 2.],
    /// //         [3., 4.]])
    /// ```
    public var description: String { TensorPrinter(self).repr() }

    /// A short summary: shape, dtype, device and autograd state (no values).
    public var debugDescription: String {
        var s = "Tensor(shape: \(shapeString(shape)), dtype: \(dtype.rawValue)"
        if device != .cpu { s += ", device: \(device)" }
        if let fn = gradFn { s += ", gradFn: \(fn.name)" } else if requiresGrad { s += ", requiresGrad: true" }
        return s + ")"
    }
}

/// PyTorch's default `torch.set_printoptions` values.
private enum PrintOptions {
    static let precision = 4
    static let threshold = 1000
    static let edgeItems = 3
    static let lineWidth = 80
}

/// Formats one element the way `torch._tensor_str._Formatter` does, after scanning the shown elements.
private struct ElementFormatter {
    enum Kind { case floating, integer, boolean }
    let kind: Kind
    var intMode = true
    var sciMode = false
    var maxWidth = 1

    init(_ t: Tensor, shownOffsets: [Int]) {
        kind = t.dtype.isFloatingPoint ? .floating : (t.dtype == .bool ? .boolean : .integer)
        switch kind {
        case .integer:
            for off in shownOffsets { maxWidth = Swift.max(maxWidth, String(t.readInt64(atOffset: off)).count) }
        case .boolean:
            for off in shownOffsets { maxWidth = Swift.max(maxWidth, t.readScalar(atOffset: off) != 0 ? 4 : 5) }
        case .floating:
            let values = shownOffsets.map { t.readScalar(atOffset: $0) }.filter { $0.isFinite && $0 != 0 }
            guard !values.isEmpty else { return }
            let mags = values.map { Swift.abs($0) }
            let lo = mags.min()!, hi = mags.max()!
            intMode = values.allSatisfy { $0 == $0.rounded(.up) }
            if intMode {
                if hi / lo > 1000 || hi > 1e8 {
                    sciMode = true
                    for v in values { maxWidth = Swift.max(maxWidth, ElementFormatter.sci(v).count) }
                } else {
                    for v in values { maxWidth = Swift.max(maxWidth, ElementFormatter.fixed(v, 0).count + 1) }
                }
            } else if hi / lo > 1000 || hi > 1e8 || lo < 1e-4 {
                sciMode = true
                for v in values { maxWidth = Swift.max(maxWidth, ElementFormatter.sci(v).count) }
            } else {
                for v in values { maxWidth = Swift.max(maxWidth, ElementFormatter.fixed(v, PrintOptions.precision).count) }
            }
        }
    }

    /// Python's `f"{v:.{digits}f}"` (nan/inf spelled as Python does).
    static func fixed(_ v: Double, _ digits: Int) -> String {
        if let s = nonFinite(v) { return s }
        return String(format: "%.\(digits)f", v)
    }
    /// Python's `f"{v:.4e}"`: `1.0000e+10`.
    static func sci(_ v: Double) -> String {
        if let s = nonFinite(v) { return s }
        return String(format: "%.\(PrintOptions.precision)e", v)
    }
    static func nonFinite(_ v: Double) -> String? {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return nil
    }

    func format(_ t: Tensor, offset: Int) -> String {
        let s: String
        switch kind {
        case .integer: s = String(t.readInt64(atOffset: offset))
        case .boolean: s = t.readScalar(atOffset: offset) != 0 ? "True" : "False"
        case .floating:
            let v = t.readScalar(atOffset: offset)
            if sciMode { s = ElementFormatter.sci(v) }
            else if intMode { s = ElementFormatter.fixed(v, 0) + (v.isFinite ? "." : "") }
            else { s = ElementFormatter.fixed(v, PrintOptions.precision) }
        }
        return String(repeating: " ", count: Swift.max(0, maxWidth - s.count)) + s
    }
}

/// Builds PyTorch's repr string: `_str_intern`, `_tensor_str_with_formatter`, `_vector_str`, `_add_suffixes`.
private struct TensorPrinter {
    let t: Tensor
    let summarize: Bool

    init(_ t: Tensor) {
        self.t = t
        summarize = t.numel > PrintOptions.threshold
    }

    /// Indices shown along a dimension of `size`, with nil standing for `...`.
    func shownIndices(_ size: Int) -> [Int?] {
        let e = PrintOptions.edgeItems
        if summarize && size > 2 * e { return Array(0..<e) + [nil] + Array((size - e)..<size) }
        return Array(0..<size)
    }

    /// Storage offsets (relative to the tensor's first element) of every element that will be printed.
    func shownOffsets(dim: Int = 0, base: Int = 0, into out: inout [Int]) {
        if dim == t.rank { out.append(base); return }
        for i in shownIndices(t.shape[dim]) {
            if let i { shownOffsets(dim: dim + 1, base: base + i * t.strides[dim], into: &out) }
        }
    }

    func body(_ f: ElementFormatter, dim: Int, base: Int, indent: Int) -> String {
        let remaining = t.rank - dim
        if remaining == 0 { return f.format(t, offset: base) }
        let size = t.shape[dim], stride = t.strides[dim]
        if remaining == 1 {
            let elementLength = f.maxWidth + 2
            let perLine = Swift.max(1, (PrintOptions.lineWidth - indent) / elementLength)
            let data = shownIndices(size).map { i in i.map { f.format(t, offset: base + $0 * stride) } ?? " ..." }
            var lines: [String] = []
            var i = 0
            while i < data.count {
                lines.append(data[i..<Swift.min(i + perLine, data.count)].joined(separator: ", "))
                i += perLine
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        let slices = shownIndices(size).map { i in
            i.map { body(f, dim: dim + 1, base: base + $0 * stride, indent: indent + 1) } ?? "..."
        }
        let sep = "," + String(repeating: "\n", count: remaining - 1) + String(repeating: " ", count: indent + 1)
        return "[" + slices.joined(separator: sep) + "]"
    }

    func repr() -> String {
        let prefix = "tensor("
        let indent = prefix.count
        var suffixes: [String] = []
        var contents: String
        if t.device != .cpu { suffixes.append("device='\(t.device)'") }
        if t.numel == 0 {
            if t.rank != 1 { suffixes.append("size=" + pythonTuple(t.shape)) }
            if t.dtype != .float32 { suffixes.append("dtype=\(t.dtype)") }
            contents = "[]"
        } else {
            if ![.float32, .int64, .bool].contains(t.dtype) { suffixes.append("dtype=\(t.dtype)") }
            var offsets: [Int] = []
            shownOffsets(into: &offsets)
            let f = ElementFormatter(t, shownOffsets: offsets)
            contents = body(f, dim: 0, base: 0, indent: indent)
        }
        if let fn = t.gradFn { suffixes.append("grad_fn=<\(fn.name)>") } else if t.requiresGrad { suffixes.append("requires_grad=True") }
        return addSuffixes(prefix + contents, suffixes, indent: indent)
    }

    /// `_add_suffixes`, including its line-length arithmetic (`len - rfind("\n") + 1`).
    func addSuffixes(_ s: String, _ suffixes: [String], indent: Int) -> String {
        var out = s
        let chars = Array(s.utf8)
        let lastNewline = chars.lastIndex(of: UInt8(ascii: "\n")) ?? -1
        var lastLineLength = chars.count - lastNewline + 1
        for suffix in suffixes {
            if lastLineLength + suffix.count + 2 > PrintOptions.lineWidth {
                out += ",\n" + String(repeating: " ", count: indent) + suffix
                lastLineLength = indent + suffix.count
            } else {
                out += ", " + suffix
                lastLineLength += suffix.count + 2
            }
        }
        return out + ")"
    }

    func pythonTuple(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
