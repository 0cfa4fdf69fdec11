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

/// A step of a data-augmentation/preprocessing pipeline (`torchvision.transforms`).
///
/// Like torchvision's transforms, most accept either an `Image` or a `[..., C, H, W]` tensor; `ToTensor`
/// converts between them and `Normalize` needs a tensor. Random transforms draw from their `generator`, else
/// from the generator the `DataLoader` binds for the current batch, else from `DataRandom.global`.
public protocol Transform {
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
/// ```swift
/// let eval = Compose([Resize(256), CenterCrop(224), ToTensor(),
///                     Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])])
/// let x = try eval(img).asTensor()        // [3, 224, 224]
/// ```
public struct Compose: Transform {
    /// The steps, in order.
    public var transforms: [any Transform]
    /// Chains `transforms`.
    public init(_ transforms: [any Transform]) { self.transforms = transforms }
    /// Chains `transforms`.
    public init(_ transforms: any Transform...) { self.transforms = transforms }

    public func apply(_ value: TransformValue) throws -> TransformValue {
        var v = value
        for t in transforms { v = try t.apply(v) }
        return v
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
