// Transform: the protocol of image/tensor transforms, the value they pass along, Compose and Lambda.
import Ember
import EmberData

/// What flows through a transform pipeline: an `Image` (torchvision's PIL path) or a `Tensor` (the tensor path).
public enum TransformValue {
    case image(Image)
    case tensor(Tensor)

    /// The tensor, converting an image to a uint8 `[C, H, W]` tensor (`PILToTensor`) when no `ToTensor` ran.
    public func asTensor() -> Tensor {
        switch self {
        case .tensor(let t): return t
        case .image(let img): return img.chwTensor()
        }
    }

    /// The image, or nil when the value is a tensor.
    public var image: Image? { if case .image(let i) = self { return i } else { return nil } }
    /// The tensor, or nil when the value is an image.
    public var tensor: Tensor? { if case .tensor(let t) = self { return t } else { return nil } }
}

/// What a pipeline built with `Compose { ... }` gives back: the type of its last step's result.
public protocol TransformOutput {
    /// The pipeline's value as this type.
    static func fromTransformValue(_ value: TransformValue) throws -> Self
}

extension TransformValue: TransformOutput {
    public static func fromTransformValue(_ value: TransformValue) -> TransformValue { value }
}

extension Tensor: TransformOutput {
    /// The tensor (an image becomes a uint8 `[C, H, W]` tensor, as `asTensor()`).
    public static func fromTransformValue(_ value: TransformValue) -> Tensor { value.asTensor() }
}

/// A step of a data-augmentation/preprocessing pipeline (`torchvision.transforms`).
///
/// Like torchvision's transforms, most accept either an `Image` or a `[..., C, H, W]` tensor; `ToTensor`
/// converts between them and `Normalize` needs a tensor. Random transforms draw from their `generator`, else
/// from the generator the `DataLoader` binds for the current batch, else from `DataRandom.global`.
public protocol Transform {
    /// What the transform gives back when it ends a `Compose { ... }` pipeline: `Tensor` for `ToTensor` and
    /// `Normalize`; `TransformValue` (the same kind as its input) for the rest.
    associatedtype Output: TransformOutput = TransformValue
    /// Applies the transform.
    func apply(_ value: TransformValue) throws -> TransformValue
}

extension Transform {
    /// Applies the transform to an image (`transform(img)`).
    public func callAsFunction(_ image: Image) throws -> TransformValue { try apply(.image(image)) }
    /// Applies the transform to a tensor (`transform(x)`).
    public func callAsFunction(_ tensor: Tensor) throws -> TransformValue { try apply(.tensor(tensor)) }
}

/// Transforms applied one after another (`transforms.Compose`).
///
/// Built with a result builder, the pipeline's result has the type of its last step: a tensor after `ToTensor`
/// or `Normalize`, so no `.asTensor()` is needed. The array form (as in torchvision) gives a `TransformValue`.
///
/// ```swift
/// let eval = Compose {
///     Resize(256); CenterCrop(224); ToTensor()
///     Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
/// }
/// let x = try eval(img)                                        // Tensor [3, 224, 224]
/// let y = try Compose([Resize(512), ToTensor()])(img).asTensor() // the array form
/// ```
public struct Compose<Output: TransformOutput>: Transform {
    /// The steps, in order.
    public var transforms: [any Transform]

    init(steps: [any Transform]) { transforms = steps }

    /// Chains the transforms listed in the closure; the result has the type of the last step's output.
    public init(@ComposeBuilder _ build: () -> Compose<Output>) { self = build() }

    public func apply(_ value: TransformValue) throws -> TransformValue {
        var v = value
        for t in transforms { v = try t.apply(v) }
        return v
    }

    /// Runs the pipeline on an image (`transform(img)`).
    public func callAsFunction(_ image: Image) throws -> Output { try Output.fromTransformValue(apply(.image(image))) }
    /// Runs the pipeline on a tensor (`transform(x)`).
    public func callAsFunction(_ tensor: Tensor) throws -> Output { try Output.fromTransformValue(apply(.tensor(tensor))) }
}

extension Compose where Output == TransformValue {
    /// Chains `transforms` (torchvision's list form); the result is a `TransformValue`.
    public init(_ transforms: [any Transform]) { self.init(steps: transforms) }
    /// Chains `transforms`.
    public init(_ transforms: any Transform...) { self.init(steps: transforms) }
}

/// Builds `Compose { ... }`: each step is appended; a step that keeps its input's kind (`Resize`, flips, ...)
/// keeps the pipeline's output type, one with a typed output (`ToTensor`) sets it.
@resultBuilder
public enum ComposeBuilder {
    public static func buildPartialBlock<T: Transform>(first: T) -> Compose<T.Output> { Compose(steps: [first]) }
    public static func buildPartialBlock<O, T: Transform>(accumulated: Compose<O>, next: T) -> Compose<T.Output> {
        Compose(steps: accumulated.transforms + [next])
    }
    public static func buildPartialBlock<O, T: Transform>(accumulated: Compose<O>, next: T) -> Compose<O> where T.Output == TransformValue {
        Compose(steps: accumulated.transforms + [next])
    }
}

/// A user-defined transform (`transforms.Lambda`).
public struct Lambda: Transform {
    let body: (TransformValue) throws -> TransformValue
    /// Wraps a function of the pipeline value.
    public init(_ body: @escaping (TransformValue) throws -> TransformValue) { self.body = body }
    /// Wraps a tensor function (the value is converted with `asTensor()` first).
    public init(tensor body: @escaping (Tensor) throws -> Tensor) { self.body = { .tensor(try body($0.asTensor())) } }
    public func apply(_ value: TransformValue) throws -> TransformValue { try body(value) }
}

/// Splits a tensor `[..., C, H, W]` into its planes: (number of planes, H, W).
@inline(__always)
func planeGeometry(_ t: Tensor, _ op: String) -> (planes: Int, height: Int, width: Int) {
    emberCheck(t.rank >= 2, op, "expected a tensor with at least 2 dimensions [..., H, W], got \(shapeString(t.shape))")
    let h = t.shape[t.rank - 2], w = t.shape[t.rank - 1]
    return (h * w == 0 ? 0 : t.numel / (h * w), h, w)
}
