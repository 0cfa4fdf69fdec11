// VGG: the notes' VGG-11 built from `vggBlock`s, and torchvision's `vgg16()` with its exact layout and initialisation.
import Ember
import EmberNN

/// The notes' VGG block: `numConvs` 3×3 convolutions (padding 1) each followed by ReLU, then a 2×2 max pooling.
///
/// Shape: `[N, inChannels, H, W]` → `[N, outChannels, H / 2, W / 2]`.
///
/// - Parameters:
///   - numConvs: The number of 3×3 convolutions.
///   - inChannels: The number of channels of the input.
///   - outChannels: The number of channels of the output.
public func vggBlock(_ numConvs: Int, _ inChannels: Int, _ outChannels: Int) -> Sequential {
    var layers: [Module] = []
    var channels = inChannels
    for _ in 0..<numConvs {
        layers += [Conv2d(channels, outChannels, kernelSize: 3, padding: 1), ReLU()]
        channels = outChannels
    }
    layers.append(MaxPool2d(kernelSize: 2, stride: 2))
    return Sequential(layers)
}

/// The notes' VGG: one `vggBlock` per `(numConvs, outChannels)` of `convArch`, then Flatten and the classifier
/// `Linear(c·7·7, 4096)`, ReLU, Dropout, `Linear(4096, 4096)`, ReLU, Dropout, `Linear(4096, numClasses)`.
///
/// The notes train `vgg(convArch: vgg11Arch.map { ($0.0, $0.1 / 4) })` (channels / 4) on 224×224 Fashion-MNIST,
/// which is `vgg11(channelDivisor: 4)`. Shape: `[N, 1, 224, 224]` → `[N, numClasses]`.
///
/// - Parameters:
///   - convArch: (number of convolutions, output channels) per block.
///   - inChannels: The number of channels of the input.
///   - numClasses: The number of output classes.
public func vgg(convArch: [(Int, Int)], inChannels: Int = 1, numClasses: Int = 10) -> Sequential {
    var blocks: [Module] = []
    var channels = inChannels
    for (numConvs, out) in convArch {
        blocks.append(vggBlock(numConvs, channels, out))
        channels = out
    }
    return Sequential(blocks + [
        Flatten(),
        Linear(channels * 7 * 7, 4096), ReLU(), Dropout(0.5),
        Linear(4096, 4096), ReLU(), Dropout(0.5),
        Linear(4096, numClasses),
    ])
}

/// VGG-11's convolution architecture, `(numConvs, outChannels)` per block.
public let vgg11Arch: [(Int, Int)] = [(1, 64), (1, 128), (2, 256), (2, 512), (2, 512)]

/// The notes' VGG-11 with every block's channels divided by `channelDivisor` (the notes use 4).
///
/// - Parameters:
///   - channelDivisor: Divides every channel count (4: the notes' small VGG-11).
///   - inChannels: The number of channels of the input.
///   - numClasses: The number of output classes.
public func vgg11(channelDivisor: Int = 4, inChannels: Int = 1, numClasses: Int = 10) -> Sequential {
    vgg(convArch: vgg11Arch.map { ($0.0, $0.1 / channelDivisor) }, inChannels: inChannels, numClasses: numClasses)
}

/// VGG-16 as `torchvision.models.vgg16()`: `features` (13 convolutions with in-place ReLUs and 5 max poolings,
/// indexed as torchvision's), `avgpool` (adaptive to 7×7) and `classifier`, printed as torchvision's `VGG(...)`
/// and initialised as torchvision does: Kaiming-normal (fan-out, ReLU) convolutions with zero biases,
/// `normal(0, 0.01)` linear weights with zero biases, so after `manualSeed(s)` the weights equal PyTorch's.
///
/// Fine-tuning as in the notes:
/// ```swift
/// let net = vgg16()
/// try net.loadStateDict(StateDict.load(...))       // torchvision's pretrained weights
/// net.classifier[6] = Linear(4096, 10)              // or net.classifier.addModule("add_linear", Linear(1000, 10))
/// ```
/// Shape: `[N, 3, H, W]` → `[N, numClasses]` (H, W ≥ 32).
public final class VGG: Module {
    public let features: Sequential
    public let avgpool: AdaptiveAvgPool2d
    public let classifier: Sequential

    /// `config` lists output channels, with `nil` for a 2×2 max pooling (torchvision's `cfgs`, `"M"` as nil).
    ///
    /// - Parameters:
    ///   - config: torchvision's layer list: channel counts, nil for a max pool.
    ///   - numClasses: The number of output classes.
    ///   - dropout: The dropout probability in the classifier.
    ///   - initWeights: Initialise like torchvision (Kaiming-normal convolutions, N(0, 0.01) linear layers).
    public init(config: [Int?], numClasses: Int = 1000, dropout: Double = 0.5, initWeights: Bool = true) {
        var layers: [Module] = []
        var channels = 3
        for entry in config {
            if let out = entry {
                layers += [Conv2d(channels, out, kernelSize: 3, padding: 1), ReLU(inplace: true)]
                channels = out
            } else {
                layers.append(MaxPool2d(kernelSize: 2, stride: 2))
            }
        }
        features = Sequential(layers)
        avgpool = AdaptiveAvgPool2d(7, 7)
        classifier = Sequential {
            Linear(512 * 7 * 7, 4096); ReLU(inplace: true); Dropout(dropout)
            Linear(4096, 4096); ReLU(inplace: true); Dropout(dropout)
            Linear(4096, numClasses)
        }
        super.init()
        if initWeights {
            for m in modules() {
                if let c = m as? Conv2d {
                    Init.kaimingNormal_(c.weight, mode: .fanOut, nonlinearity: .relu)
                    if let b = c.bias { Init.zeros_(b) }
                } else if let l = m as? Linear {
                    Init.normal_(l.weight, mean: 0, std: 0.01)
                    if let b = l.bias { Init.zeros_(b) }
                }
            }
        }
    }

    public override func forward(_ x: Tensor) -> Tensor {
        classifier(avgpool(features(x)).flatten(1))
    }
}

/// torchvision's configuration "D" (VGG-16): output channels, `nil` for max pooling.
public let vgg16Config: [Int?] = [64, 64, nil, 128, 128, nil, 256, 256, 256, nil, 512, 512, 512, nil, 512, 512, 512, nil]

/// `torchvision.models.vgg16()` (random initialisation; load pretrained weights with `loadStateDict`).
public func vgg16(numClasses: Int = 1000) -> VGG { VGG(config: vgg16Config, numClasses: numClasses) }
