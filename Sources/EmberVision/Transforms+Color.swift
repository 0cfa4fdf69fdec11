// Color transforms: ColorJitter (brightness, contrast, saturation) and Grayscale, on images and tensors.
import Ember
import EmberData

/// Pillow's `Image.blend(a, b, alpha)` on 8-bit samples: `a + alpha * (b - a)`, truncated, clipped when extrapolating.
@inline(__always)
func pilBlend(_ a: UInt8, _ b: UInt8, _ alpha: Float) -> UInt8 {
    let t = Float(Int(a)) + alpha * Float(Int(b) - Int(a))
    if t <= 0 { return 0 }
    if t >= 255 { return 255 }
    return UInt8(t)
}

/// ITU-R 601-2 luma of a `[..., 3, H, W]` float tensor: `0.2989 R + 0.587 G + 0.114 B` (torchvision's weights).
func grayscaleTensor(_ t: Tensor) -> Tensor {
    emberCheck(t.rank >= 3, "rgb_to_grayscale", "Input image tensor should have at least 3 dimensions, but found \(t.rank)")
    let c = t.shape[t.rank - 3]
    if c == 1 { return t }
    emberCheck(c == 3, "rgb_to_grayscale", "Input image tensor permitted channel values are [1, 3], but found \(c)")
    let f = t.dtype.isFloatingPoint ? t : t.to(.float32)
    let r = f.select(-3, 0), g = f.select(-3, 1), b = f.select(-3, 2)
    var l = (r * 0.2989 + g * 0.587 + b * 0.114).unsqueeze(-3)
    if !t.dtype.isFloatingPoint { l = l.to(t.dtype) }
    return l
}

/// torchvision's `_blend`: `(ratio * a + (1 - ratio) * b).clamp(0, bound)` (bound 1 for floats, 255 for uint8).
func blendTensor(_ a: Tensor, _ b: Tensor, _ ratio: Double) -> Tensor {
    let bound: Double = a.dtype.isFloatingPoint ? 1 : 255
    let f = a.dtype.isFloatingPoint ? a : a.to(.float32)
    let g = b.dtype == f.dtype ? b : b.to(f.dtype)
    return (f * ratio + g * (1 - ratio)).clamp(min: 0, max: bound).to(a.dtype)
}

/// Converts to gray (`transforms.Grayscale`), with 1 or 3 output channels.
///
/// Images use Pillow's `convert("L")` (fixed-point luma); tensors torchvision's float formula.
public struct Grayscale: Transform {
    public let numOutputChannels: Int
    public init(numOutputChannels: Int = 1) {
        emberCheck(numOutputChannels == 1 || numOutputChannels == 3, "Grayscale", "num_output_channels should be either 1 or 3")
        self.numOutputChannels = numOutputChannels
    }
    public func apply(_ value: TransformValue) throws -> TransformValue {
        switch value {
        case .image(let i):
            let g = i.converted(to: .gray)
            return .image(numOutputChannels == 3 ? g.converted(to: .rgb) : g)
        case .tensor(let t):
            let g = grayscaleTensor(t)
            return .tensor(numOutputChannels == 3 ? g.expand(Array(g.shape.dropLast(3)) + [3] + Array(g.shape.suffix(2))).contiguous() : g)
        }
    }
}

/// Randomly changes brightness, contrast and saturation (`transforms.ColorJitter`), in a random order.
///
/// `brightness: b` draws a factor uniformly from `[max(0, 1 - b), 1 + b]` (likewise contrast and saturation);
/// as in torchvision, the order of the adjustments is a random permutation drawn first, then the factors.
/// Hue jitter is not supported.
public struct ColorJitter: Transform {
    public let brightness: ClosedRange<Double>?
    public let contrast: ClosedRange<Double>?
    public let saturation: ClosedRange<Double>?
    public let generator: RandomSource?

    /// Random brightness, contrast and saturation, applied in random order as torchvision does.
    ///
    /// - Parameters:
    ///   - brightness: How much to jitter brightness: a factor drawn from [max(0, 1 − b), 1 + b].
    ///   - contrast: How much to jitter contrast: a factor drawn from [max(0, 1 − c), 1 + c].
    ///   - saturation: How much to jitter saturation: a factor drawn from [max(0, 1 − s), 1 + s].
    ///   - generator: The random source (nil: the default generator, or the DataLoader's per-batch one).
    public init(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0, generator: RandomSource? = nil) {
        func range(_ v: Double, _ name: String) -> ClosedRange<Double>? {
            emberCheck(v >= 0, "ColorJitter", "If \(name) is a single number, it must be non negative.")
            return v == 0 ? nil : Swift.max(0, 1 - v)...(1 + v)
        }
        self.brightness = range(brightness, "brightness")
        self.contrast = range(contrast, "contrast")
        self.saturation = range(saturation, "saturation")
        self.generator = generator
    }

    public func apply(_ value: TransformValue) throws -> TransformValue {
        let g = DataRandom.resolve(generator)
        let order = g.permutation(4)
        let b = brightness.map { g.uniform($0.lowerBound, $0.upperBound) }
        let c = contrast.map { g.uniform($0.lowerBound, $0.upperBound) }
        let s = saturation.map { g.uniform($0.lowerBound, $0.upperBound) }
        var v = value
        for fn in order {
            switch fn {
            case 0: if let f = b { v = ColorJitter.adjustBrightness(v, f) }
            case 1: if let f = c { v = ColorJitter.adjustContrast(v, f) }
            case 2: if let f = s { v = ColorJitter.adjustSaturation(v, f) }
            default: break
            }
        }
        return v
    }

    /// `TF.adjust_brightness`: blend with black.
    public static func adjustBrightness(_ v: TransformValue, _ factor: Double) -> TransformValue {
        switch v {
        case .image(var i):
            let a = Float(factor)
            let colors = i.channels == 2 || i.channels == 4 ? i.channels - 1 : i.channels   // alpha is kept
            for k in 0..<i.pixels.count where k % i.channels < colors { i.pixels[k] = pilBlend(0, i.pixels[k], a) }
            return .image(i)
        case .tensor(let t):
            return .tensor(blendTensor(t, Tensor.zerosLike(t), factor))
        }
    }

    /// `TF.adjust_contrast`: blend with the mean gray level.
    public static func adjustContrast(_ v: TransformValue, _ factor: Double) -> TransformValue {
        switch v {
        case .image(var i):
            let gray = i.converted(to: .gray).pixels
            let mean = UInt8(Double(gray.reduce(0) { $0 + Int($1) }) / Double(Swift.max(gray.count, 1)) + 0.5)
            let a = Float(factor)
            let colors = i.channels == 2 || i.channels == 4 ? i.channels - 1 : i.channels   // alpha is kept
            for k in 0..<i.pixels.count where k % i.channels < colors { i.pixels[k] = pilBlend(mean, i.pixels[k], a) }
            return .image(i)
        case .tensor(let t):
            let gray = t.shape[t.rank - 3] == 3 ? grayscaleTensor(t) : t
            let mean = gray.to(t.dtype.isFloatingPoint ? t.dtype : .float32).mean().item()
            return .tensor(blendTensor(t, Tensor.full([], mean, dtype: t.dtype.isFloatingPoint ? t.dtype : .float32), factor))
        }
    }

    /// `TF.adjust_saturation`: blend with the grayscale image (gray inputs are unchanged).
    public static func adjustSaturation(_ v: TransformValue, _ factor: Double) -> TransformValue {
        switch v {
        case .image(var i):
            guard i.channels >= 3 else { return v }
            let gray = i.converted(to: .gray).pixels
            let a = Float(factor)
            for p in 0..<gray.count { for k in 0..<3 { i.pixels[p * i.channels + k] = pilBlend(gray[p], i.pixels[p * i.channels + k], a) } }
            return .image(i)
        case .tensor(let t):
            guard t.shape[t.rank - 3] == 3 else { return v }
            return .tensor(blendTensor(t, grayscaleTensor(t), factor))
        }
    }
}
