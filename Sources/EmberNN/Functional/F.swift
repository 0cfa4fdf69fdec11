// The `F` namespace (torch.nn.functional) and the argument types and helpers its op families share.
import Ember

/// Stateless neural-network operations, the counterpart of `torch.nn.functional`.
///
/// Every op takes and returns `Tensor`s, records its backward for autograd under PyTorch's node name,
/// and checks its arguments with PyTorch's messages.
///
/// ```swift
/// let y = F.conv2d(x, w, bias: b, stride: 2, padding: 1)     // F.conv2d(x, w, b, stride=2, padding=1)
/// let loss = F.crossEntropy(y.flatten(1), target)             // F.cross_entropy(logits, target)
/// ```
public enum F {
    /// How a loss combines per-element values, as PyTorch's `reduction=` string.
    public enum Reduction: String, Sendable {
        /// Per-element losses (`reduction="none"`).
        case none
        /// The mean (`reduction="mean"`, PyTorch's default).
        case mean
        /// The sum (`reduction="sum"`).
        case sum
    }
}

/// An integer or a list of integers, for arguments PyTorch accepts as `int` or tuple (`stride=2`, `stride=(2, 1)`).
///
/// `Int` and `[Int]` conform, so `stride: 2`, `stride: [2, 1]` and `stride: s` (a variable) all work.
public protocol IntTuple {
    /// The integers given (one value means "the same for every spatial dim").
    var intValues: [Int] { get }
}
extension Int: IntTuple { public var intValues: [Int] { [self] } }
extension Array: IntTuple where Element == Int { public var intValues: [Int] { self } }

/// A convolution padding: an integer, one integer per spatial dim, or the strings `"same"` / `"valid"`.
public protocol ConvPaddingSpec {
    /// The padding in its resolved form.
    var convPadding: ConvPadding { get }
}

/// The resolved forms of a convolution `padding=` argument.
public enum ConvPadding: ConvPaddingSpec, Equatable, Sendable {
    /// Explicit zero padding per spatial dim (one value applies to every dim).
    case explicit([Int])
    /// Pad so the output has the input's size (stride 1 only), split left/right like PyTorch.
    case same
    /// No padding.
    case valid
    public var convPadding: ConvPadding { self }
}
extension Int: ConvPaddingSpec { public var convPadding: ConvPadding { .explicit([self]) } }
extension Array: ConvPaddingSpec where Element == Int { public var convPadding: ConvPadding { .explicit(self) } }
extension String: ConvPaddingSpec {
    public var convPadding: ConvPadding {
        switch self {
        case "same": return .same
        case "valid": return .valid
        default: emberFail("conv", "Invalid padding string '\(self)', should be one of {'valid', 'same'}")
        }
    }
}

// MARK: - Internal helpers shared by the op families

/// Expands an int-or-tuple argument to `count` values, with PyTorch's message when the length is wrong.
func expandTuple(_ value: IntTuple, _ count: Int, op: String, name: String) -> [Int] {
    let v = value.intValues
    if v.count == 1 { return [Int](repeating: v[0], count: count) }
    emberCheck(v.count == count, op, "expected \(name) to be a single integer value or a list of \(count) values to match the convolution dimensions, but got \(name)=\(shapeString(v))")
    return v
}

extension Tensor {
    /// This tensor's values, cut from the graph and contiguous: what a backend primitive reads.
    var kernelInput: Tensor {
        let d = requiresGrad ? detach() : self
        return d.isContiguous ? d : noGrad { d.clone() }
    }
}

/// Stops unless every tensor is float32 or float64 and all share one dtype.
func checkFloatInputs(_ op: String, _ tensors: (String, Tensor)...) {
    guard let first = tensors.first else { return }
    for (name, t) in tensors {
        emberCheck(t.dtype == .float32 || t.dtype == .float64, op,
                   "expected \(name) to be a floating point tensor (float32 or float64), but got \(t.dtype)")
        emberCheck(t.dtype == first.1.dtype, op,
                   "expected \(first.0) and \(name) to have the same dtype, but got: \(first.1.dtype) != \(t.dtype)")
    }
}

/// Wraps gradients computed by raw kernels so that a second differentiation through them stops with a
/// message instead of silently yielding zero (these fused backwards are differentiable once).
func onceDifferentiable(_ grads: [Tensor?], _ name: String, inputs: [Tensor]) -> [Tensor?] {
    guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return grads }
    return grads.map { g in
        g.map { record($0, name + "Backward", inputs: inputs) { _ in
            emberFail(name, "double backward (createGraph) through \(name) is not implemented")
        } }
    }
}

/// Applies a loss reduction.
func reduce(_ loss: Tensor, _ reduction: F.Reduction) -> Tensor {
    switch reduction {
    case .none: return loss
    case .mean: return loss.mean()
    case .sum: return loss.sum()
    }
}
