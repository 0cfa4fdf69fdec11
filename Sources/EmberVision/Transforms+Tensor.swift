// ToTensor and Normalize: from 8-bit images to normalized float tensors.
import Ember

/// Converts an image to a float32 `[C, H, W]` tensor in [0, 1] (`transforms.ToTensor`).
///
/// Each sample is divided by 255 in float32, exactly as torchvision does. Unlike torchvision, a tensor input
/// is refused (torchvision raises a TypeError too).
///
/// **Shape:** `Image(H, W, C)` → `[C, H, W]`.
public struct ToTensor: Transform {
    public typealias Output = Tensor
    public init() {}

    /// Converts `image` directly to a tensor.
    public func callAsFunction(_ image: Image) -> Tensor { ToTensor.convert(image.pixels, height: image.height, width: image.width, channels: image.channels) }

    public func apply(_ value: TransformValue) throws -> TransformValue {
        switch value {
        case .image(let img): return .tensor(self(img))
        case .tensor(let t): emberFail("ToTensor", "pic should be an Image, got a tensor of shape \(shapeString(t.shape))")
        }
    }

    /// HWC uint8 samples to a CHW float32 tensor divided by 255 (shared with the datasets' fast paths).
    static func convert(_ pixels: UnsafePointer<UInt8>, height: Int, width: Int, channels c: Int) -> Tensor {
        let out = Tensor(empty: [c, height, width], dtype: .float32)
        let d = out.pointer(as: Float.self)
        let plane = height * width
        if c == 1 {
            for i in 0..<plane { d[i] = Float(pixels[i]) / 255 }
        } else {
            for i in 0..<plane { for k in 0..<c { d[k * plane + i] = Float(pixels[i * c + k]) / 255 } }
        }
        return out
    }

    static func convert(_ pixels: [UInt8], height: Int, width: Int, channels: Int) -> Tensor {
        pixels.withUnsafeBufferPointer { convert($0.baseAddress!, height: height, width: width, channels: channels) }
    }
}

/// Normalizes each channel of a float tensor: `(x - mean[c]) / std[c]` (`transforms.Normalize`).
///
/// Computed in float32 as torchvision does (`sub_(mean).div_(std)`); a single mean/std applies to all channels.
///
/// **Shape:** `[..., C, H, W]` → same.
public struct Normalize: Transform {
    public typealias Output = Tensor
    /// Per-channel means.
    public let mean: [Double]
    /// Per-channel standard deviations (nonzero).
    public let std: [Double]

    /// `Normalize(mean: [0.5], std: [0.5])`.
    public init(mean: [Double], std: [Double]) {
        emberCheck(!mean.isEmpty && mean.count == std.count, "Normalize", "mean and std must have the same nonzero length")
        emberCheck(!std.contains(0), "Normalize", "std evaluated to zero after conversion to float32, leading to division by zero.")
        self.mean = mean
        self.std = std
    }

    /// Normalizes `tensor` (a new tensor; the input is not modified).
    public func callAsFunction(_ tensor: Tensor) -> Tensor {
        emberCheck(tensor.dtype.isFloatingPoint, "Normalize", "Input tensor should be a float tensor. Got \(tensor.dtype).")
        emberCheck(tensor.rank >= 3, "Normalize", "Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = \(shapeString(tensor.shape))")
        let c = tensor.shape[tensor.rank - 3]
        emberCheck(mean.count == 1 || mean.count == c, "Normalize", "mean has \(mean.count) values but the tensor has \(c) channels")
        if tensor.dtype != .float32 {
            let m = Tensor(mean.count == 1 ? Array(repeating: mean[0], count: c) : mean, shape: [c, 1, 1]).to(tensor.dtype)
            let s = Tensor(std.count == 1 ? Array(repeating: std[0], count: c) : std, shape: [c, 1, 1]).to(tensor.dtype)
            return (tensor - m) / s
        }
        let x = tensor.contiguous()
        let out = Tensor(empty: x.shape, dtype: .float32)
        let plane = x.shape[x.rank - 1] * x.shape[x.rank - 2]
        let planes = plane == 0 ? 0 : x.numel / plane
        let s = x.pointer(as: Float.self), d = out.pointer(as: Float.self)
        for p in 0..<planes {
            let k = mean.count == 1 ? 0 : p % c
            let m = Float(mean[k]), sd = Float(std[k])
            for i in 0..<plane { d[p * plane + i] = (s[p * plane + i] - m) / sd }
        }
        return out
    }

    public func apply(_ value: TransformValue) throws -> TransformValue {
        guard case .tensor(let t) = value else { emberFail("Normalize", "img should be a Tensor, got an Image (add ToTensor() before Normalize)") }
        return .tensor(self(t))
    }
}
