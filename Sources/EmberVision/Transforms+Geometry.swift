// Geometric transforms: Resize, CenterCrop, Pad, RandomCrop, flips, RandomResizedCrop.
import Foundation
import Ember
import EmberData

/// Resizes with bilinear interpolation (`transforms.Resize`).
///
/// `Resize(256)` matches the shorter side to 256 keeping the aspect ratio (the longer side is truncated:
/// `int(256 * long / short)`), `Resize((h, w))` gives that size. Images use Pillow's antialiased bilinear
/// filter (the PIL path), tensors PyTorch's `antialias=True` kernel (the tensor path); the two agree to
/// about 1/255.
///
/// **Shape:** `[..., C, H, W]` → `[..., C, H', W']`.
public struct Resize: Transform {
    /// The requested size: shorter side, or exact (height, width).
    public let size: (height: Int, width: Int)?
    /// The shorter side, when `size` is nil.
    public let shorterSide: Int
    /// Upper bound on the longer side (`max_size`), only with a shorter-side size.
    public let maxSize: Int?
    /// Whether tensor downscaling is antialiased (images always are, as in Pillow).
    public let antialias: Bool

    /// Matches the shorter side to `size`.
    ///
    /// - Parameters:
    ///   - size: The output size (one number: the smaller edge for `Resize`, a square for crops).
    ///   - maxSize: The longer edge is capped at this (nil: no cap).
    ///   - antialias: Low-pass filter when downscaling, like PIL and torchvision's default.
    public init(_ size: Int, maxSize: Int? = nil, antialias: Bool = true) {
        emberCheck(size > 0, "Resize", "size must be positive, got \(size)")
        self.size = nil; self.shorterSide = size; self.maxSize = maxSize; self.antialias = antialias
    }
    /// Resizes to exactly (height, width).
    public init(_ size: (Int, Int), antialias: Bool = true) {
        emberCheck(size.0 > 0 && size.1 > 0, "Resize", "size must be positive, got \(size)")
        self.size = (size.0, size.1); self.shorterSide = 0; self.maxSize = nil; self.antialias = antialias
    }

    /// The output (height, width) for an input of (height, width), as torchvision computes it.
    public func outputSize(height h: Int, width w: Int) -> (height: Int, width: Int) {
        if let s = size { return s }
        let (short, long) = w <= h ? (w, h) : (h, w)
        var newShort = shorterSide, newLong = Int(Double(shorterSide) * Double(long) / Double(short))
        if let m = maxSize, newLong > m {
            newShort = Int(Double(m) * Double(newShort) / Double(newLong))
            newLong = m
        }
        return w <= h ? (newLong, newShort) : (newShort, newLong)
    }

    /// Resizes an image (Pillow's path).
    public func callAsFunction(_ image: Image) -> Image {
        let (h, w) = outputSize(height: image.height, width: image.width)
        return image.resized(width: w, height: h)
    }
    /// Resizes a `[..., H, W]` tensor (PyTorch's path).
    public func callAsFunction(_ tensor: Tensor) -> Tensor {
        let (h, w) = outputSize(height: tensor.shape[tensor.rank - 2], width: tensor.shape[tensor.rank - 1])
        return resizeTensor(tensor, height: h, width: w, antialias: antialias)
    }
    public func apply(_ value: TransformValue) throws -> TransformValue {
        switch value { case .image(let i): return .image(self(i)); case .tensor(let t): return .tensor(self(t)) }
    }
}

/// Offsets of a centred crop, torchvision's way: `round((size - crop) / 2)` (half to even), negative when the
/// crop is larger (the outside is padded with 0).
@inline(__always)
func centerOffset(_ size: Int, _ crop: Int) -> Int {
    crop > size ? -((crop - size) / 2) : Int((Double(size - crop) / 2).rounded(.toNearestOrEven))
}

/// Crops the centre (`transforms.CenterCrop`); a crop larger than the input is padded with 0 first.
public struct CenterCrop: Transform {
    /// Output (height, width).
    public let size: (height: Int, width: Int)
    /// A square crop.
    public init(_ size: Int) { self.size = (size, size) }
    /// A (height, width) crop.
    public init(_ size: (Int, Int)) { self.size = (size.0, size.1) }

    public func callAsFunction(_ image: Image) -> Image {
        image.cropped(x: centerOffset(image.width, size.width), y: centerOffset(image.height, size.height),
                      width: size.width, height: size.height)
    }
    public func callAsFunction(_ tensor: Tensor) -> Tensor {
        let (_, h, w) = planeGeometry(tensor, "CenterCrop")
        return cropTensor(tensor, top: centerOffset(h, size.height), left: centerOffset(w, size.width),
                          height: size.height, width: size.width)
    }
    public func apply(_ value: TransformValue) throws -> TransformValue {
        switch value { case .image(let i): return .image(self(i)); case .tensor(let t): return .tensor(self(t)) }
    }
}

/// Pads the borders (`transforms.Pad`): `Pad(2)` on all sides, `Pad([left, top, right, bottom])`.
public struct Pad: Transform {
    /// Padding (left, top, right, bottom).
    public let padding: (left: Int, top: Int, right: Int, bottom: Int)
    /// Value for `.constant` mode.
    public let fill: Double
    /// Border mode.
    public let mode: PaddingMode

    /// `padding` as torchvision reads it: 1 value (all sides), 2 (left/right, top/bottom) or 4 (l, t, r, b).
    ///
    /// - Parameters:
    ///   - padding: Padding before cropping: one number for all sides, two for (left/right, top/bottom), four for (left, top, right, bottom).
    ///   - fill: The value padded pixels get with `.constant` mode.
    ///   - mode: How padded pixels are filled: `.constant`, `.edge`, `.reflect` or `.symmetric`.
    public init(_ padding: [Int], fill: Double = 0, mode: PaddingMode = .constant) {
        switch padding.count {
        case 1: self.padding = (padding[0], padding[0], padding[0], padding[0])
        case 2: self.padding = (padding[0], padding[1], padding[0], padding[1])
        case 4: self.padding = (padding[0], padding[1], padding[2], padding[3])
        default: emberFail("Pad", "Padding must be an int or a 1, 2, or 4 element tuple, not a \(padding.count) element tuple")
        }
        emberCheck(padding.allSatisfy { $0 >= 0 }, "Pad", "padding must be non-negative, got \(padding)")
        self.fill = fill
        self.mode = mode
    }
    /// The same padding on all sides.
    ///
    /// - Parameters:
    ///   - padding: Padding before cropping: one number for all sides, two for (left/right, top/bottom), four for (left, top, right, bottom).
    ///   - fill: The value padded pixels get with `.constant` mode.
    ///   - mode: How padded pixels are filled: `.constant`, `.edge`, `.reflect` or `.symmetric`.
    public init(_ padding: Int, fill: Double = 0, mode: PaddingMode = .constant) { self.init([padding], fill: fill, mode: mode) }

    public func callAsFunction(_ image: Image) -> Image {
        image.padded(left: padding.left, top: padding.top, right: padding.right, bottom: padding.bottom,
                     fill: UInt8(Swift.max(0, Swift.min(255, fill))), mode: mode)
    }
    public func callAsFunction(_ tensor: Tensor) -> Tensor { padTensor(tensor, padding, fill: fill, mode: mode) }
    public func apply(_ value: TransformValue) throws -> TransformValue {
        switch value { case .image(let i): return .image(self(i)); case .tensor(let t): return .tensor(self(t)) }
    }
}

/// Crops a random region (`transforms.RandomCrop`), optionally after padding.
///
/// The top-left corner is drawn uniformly (`randint(0, h - th + 1)`, then the column) from the generator.
public struct RandomCrop: Transform {
    public let size: (height: Int, width: Int)
    /// Padding applied first (nil: none).
    public let padding: Pad?
    /// Pads images smaller than `size` up to it.
    public let padIfNeeded: Bool
    public let fill: Double
    public let mode: PaddingMode
    /// Explicit generator (nil: the loader's per-batch one, else the global one).
    public let generator: RandomSource?

    /// `RandomCrop(32, padding: 4)` as in the CIFAR recipes.
    ///
    /// - Parameters:
    ///   - size: The output size (one number: the smaller edge for `Resize`, a square for crops).
    ///   - padding: Padding before cropping: one number for all sides, two for (left/right, top/bottom), four for (left, top, right, bottom).
    ///   - padIfNeeded: Pad images smaller than `size` so that a crop fits.
    ///   - fill: The value padded pixels get with `.constant` mode.
    ///   - mode: How padded pixels are filled: `.constant`, `.edge`, `.reflect` or `.symmetric`.
    ///   - generator: The random source (nil: the default generator, or the DataLoader's per-batch one).
    public init(_ size: Int, padding: Int? = nil, padIfNeeded: Bool = false, fill: Double = 0,
                mode: PaddingMode = .constant, generator: RandomSource? = nil) {
        self.init((size, size), padding: padding.map { [$0] }, padIfNeeded: padIfNeeded, fill: fill, mode: mode, generator: generator)
    }
    /// A (height, width) crop; `padding` has 1, 2 or 4 values as for `Pad`.
    ///
    /// - Parameters:
    ///   - size: The output size (one number: the smaller edge for `Resize`, a square for crops).
    ///   - padding: Padding before cropping: one number for all sides, two for (left/right, top/bottom), four for (left, top, right, bottom).
    ///   - padIfNeeded: Pad images smaller than `size` so that a crop fits.
    ///   - fill: The value padded pixels get with `.constant` mode.
    ///   - mode: How padded pixels are filled: `.constant`, `.edge`, `.reflect` or `.symmetric`.
    ///   - generator: The random source (nil: the default generator, or the DataLoader's per-batch one).
    public init(_ size: (Int, Int), padding: [Int]?, padIfNeeded: Bool = false, fill: Double = 0,
                mode: PaddingMode = .constant, generator: RandomSource? = nil) {
        self.size = (size.0, size.1)
        self.padding = padding.map { Pad($0, fill: fill, mode: mode) }
        self.padIfNeeded = padIfNeeded
        self.fill = fill
        self.mode = mode
        self.generator = generator
    }

    public func apply(_ value: TransformValue) throws -> TransformValue {
        var v = value
        if let p = padding { v = try p.apply(v) }
        var (h, w) = dims(v)
        if padIfNeeded && w < size.width {
            v = try Pad([size.width - w, 0], fill: fill, mode: mode).apply(v); (h, w) = dims(v)
        }
        if padIfNeeded && h < size.height {
            v = try Pad([0, size.height - h], fill: fill, mode: mode).apply(v); (h, w) = dims(v)
        }
        emberCheck(h >= size.height && w >= size.width, "RandomCrop",
                   "Required crop size \((size.height, size.width)) is larger than input image size \((h, w))")
        let g = DataRandom.resolve(generator)
        let top = g.nextInt(below: h - size.height + 1), left = g.nextInt(below: w - size.width + 1)
        switch v {
        case .image(let i): return .image(i.cropped(x: left, y: top, width: size.width, height: size.height))
        case .tensor(let t): return .tensor(cropTensor(t, top: top, left: left, height: size.height, width: size.width))
        }
    }
}

/// (height, width) of a pipeline value.
func dims(_ v: TransformValue) -> (Int, Int) {
    switch v {
    case .image(let i): return (i.height, i.width)
    case .tensor(let t): let g = planeGeometry(t, "transform"); return (g.height, g.width)
    }
}

/// Mirrors left-right with probability `p` (`transforms.RandomHorizontalFlip`).
public struct RandomHorizontalFlip: Transform {
    public let p: Double
    public let generator: RandomSource?
    public init(p: Double = 0.5, generator: RandomSource? = nil) { self.p = p; self.generator = generator }
    public func apply(_ value: TransformValue) throws -> TransformValue {
        guard DataRandom.resolve(generator).nextDouble() < p else { return value }
        switch value {
        case .image(let i): return .image(i.flippedHorizontally())
        case .tensor(let t): return .tensor(hflipTensor(t))
        }
    }
}

/// Mirrors top-bottom with probability `p` (`transforms.RandomVerticalFlip`).
public struct RandomVerticalFlip: Transform {
    public let p: Double
    public let generator: RandomSource?
    public init(p: Double = 0.5, generator: RandomSource? = nil) { self.p = p; self.generator = generator }
    public func apply(_ value: TransformValue) throws -> TransformValue {
        guard DataRandom.resolve(generator).nextDouble() < p else { return value }
        switch value {
        case .image(let i): return .image(i.flippedVertically())
        case .tensor(let t): return .tensor(vflipTensor(t))
        }
    }
}

/// Crops a random area and aspect ratio, then resizes (`transforms.RandomResizedCrop`).
///
/// Follows torchvision's `get_params`: up to 10 tries of area ∈ `scale` × image area and log-uniform
/// aspect ratio ∈ `ratio`, else a central crop clamped to `ratio`.
public struct RandomResizedCrop: Transform {
    public let size: (height: Int, width: Int)
    public let scale: ClosedRange<Double>
    public let ratio: ClosedRange<Double>
    public let antialias: Bool
    public let generator: RandomSource?

    /// A random crop resized to a `size` × `size` square.
    ///
    /// - Parameters:
    ///   - size: The output size (one number: the smaller edge for `Resize`, a square for crops).
    ///   - scale: The range of the crop's area as a share of the image's.
    ///   - ratio: The range of the crop's aspect ratio (width / height).
    ///   - antialias: Low-pass filter when downscaling, like PIL and torchvision's default.
    ///   - generator: The random source (nil: the default generator, or the DataLoader's per-batch one).
    public init(_ size: Int, scale: ClosedRange<Double> = 0.08...1.0, ratio: ClosedRange<Double> = (3.0 / 4.0)...(4.0 / 3.0),
                antialias: Bool = true, generator: RandomSource? = nil) {
        self.init((size, size), scale: scale, ratio: ratio, antialias: antialias, generator: generator)
    }
    /// A random crop resized to `size` (height, width).
    ///
    /// - Parameters:
    ///   - size: The output size (one number: the smaller edge for `Resize`, a square for crops).
    ///   - scale: The range of the crop's area as a share of the image's.
    ///   - ratio: The range of the crop's aspect ratio (width / height).
    ///   - antialias: Low-pass filter when downscaling, like PIL and torchvision's default.
    ///   - generator: The random source (nil: the default generator, or the DataLoader's per-batch one).
    public init(_ size: (Int, Int), scale: ClosedRange<Double> = 0.08...1.0, ratio: ClosedRange<Double> = (3.0 / 4.0)...(4.0 / 3.0),
                antialias: Bool = true, generator: RandomSource? = nil) {
        self.size = (size.0, size.1); self.scale = scale; self.ratio = ratio; self.antialias = antialias; self.generator = generator
    }

    /// The crop (top, left, height, width) for an image of the given size.
    public func parameters(height: Int, width: Int) -> (top: Int, left: Int, height: Int, width: Int) {
        let g = DataRandom.resolve(generator)
        let area = Double(height * width)
        let logRatio = (Foundation.log(ratio.lowerBound), Foundation.log(ratio.upperBound))
        for _ in 0..<10 {
            let target = area * g.uniform(scale.lowerBound, scale.upperBound)
            let aspect = Foundation.exp(g.uniform(logRatio.0, logRatio.1))
            let w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if w > 0 && w <= width && h > 0 && h <= height {
                let top = g.nextInt(below: height - h + 1), left = g.nextInt(below: width - w + 1)
                return (top, left, h, w)
            }
        }
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio.lowerBound { h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven)) }
        else if inRatio > ratio.upperBound { w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven)) }
        return ((height - h) / 2, (width - w) / 2, h, w)
    }

    public func apply(_ value: TransformValue) throws -> TransformValue {
        let (h, w) = dims(value)
        let p = parameters(height: h, width: w)
        switch value {
        case .image(let i):
            return .image(i.cropped(x: p.left, y: p.top, width: p.width, height: p.height).resized(width: size.width, height: size.height))
        case .tensor(let t):
            return .tensor(resizeTensor(cropTensor(t, top: p.top, left: p.left, height: p.height, width: p.width),
                                        height: size.height, width: size.width, antialias: antialias))
        }
    }
}
