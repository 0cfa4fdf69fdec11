// ResNet-18 in torchvision's layout (same module names, printing and initialisation as `torchvision.models.resnet18`).
import Ember
import EmberNN

/// torchvision's `BasicBlock`: conv3×3-bn-relu-conv3×3-bn plus the (optionally downsampled) shortcut, then ReLU.
///
/// Printed and keyed as torchvision's (`conv1`, `bn1`, `relu`, `conv2`, `bn2`, `downsample.0`, `downsample.1`).
/// Shape: `[N, inPlanes, H, W]` → `[N, planes, H / stride, W / stride]`.
public final class BasicBlock: Module {
    public let conv1: Conv2d, bn1: BatchNorm2d, relu: ReLU, conv2: Conv2d, bn2: BatchNorm2d
    public let downsample: Sequential?

    /// torchvision's basic block.
    ///
    /// - Parameters:
    ///   - inPlanes: The number of input channels.
    ///   - planes: The number of output channels.
    ///   - stride: The stride of the first convolution (2 halves the resolution, with a 1×1 downsampling shortcut).
    public init(_ inPlanes: Int, _ planes: Int, stride: Int = 1) {
        // torchvision's `_make_layer` builds the downsample branch before the block's own layers.
        let shortcut = (stride != 1 || inPlanes != planes)
            ? Sequential { Conv2d(inPlanes, planes, kernelSize: 1, stride: stride, bias: false); BatchNorm2d(planes) }
            : nil
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false)
        bn1 = BatchNorm2d(planes)
        relu = ReLU(inplace: true)
        conv2 = Conv2d(planes, planes, kernelSize: 3, padding: 1, bias: false)
        bn2 = BatchNorm2d(planes)
        downsample = shortcut
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let y = bn2(conv2(relu(bn1(conv1(x)))))
        return relu(y + (downsample.map { $0(x) } ?? x))
    }
}

/// ResNet-18 as `torchvision.models.resnet18(num_classes:)`: the same module tree and names (`conv1`, `bn1`, `relu`,
/// `maxpool`, `layer1.0.conv1`, `layer2.0.downsample.0`, `avgpool`, `fc`), so torchvision state dicts load by key and
/// `print(model)` reads as PyTorch's (`ResNet(...)`), and torchvision's initialisation: Kaiming-normal (fan-out, ReLU)
/// for every convolution, BatchNorm weight 1 / bias 0, `fc` left at `Linear`'s default. After `manualSeed(s)` the
/// weights equal torchvision's bit for bit.
///
/// Shape: `[N, inChannels, H, W]` → `[N, numClasses]` (any H, W ≥ 32, thanks to the adaptive pooling).
///
/// ```swift
/// manualSeed(0)
/// let net = ResNet18(numClasses: 10)       // or resnet18(numClasses: 10)
/// ```
public final class ResNet18: Module {
    public let conv1: Conv2d, bn1: BatchNorm2d, relu: ReLU, maxpool: MaxPool2d
    public let layer1: Sequential, layer2: Sequential, layer3: Sequential, layer4: Sequential
    public let avgpool: AdaptiveAvgPool2d
    /// The classifier; assign a new `Linear` to fine-tune for other classes (`net.fc = nn.Linear(512, 2)`).
    public var fc: Linear

    /// `inChannels` other than 3 is an Ember extension (torchvision's stem always takes 3 channels).
    public init(numClasses: Int = 1000, inChannels: Int = 3) {
        conv1 = Conv2d(inChannels, 64, kernelSize: 7, stride: 2, padding: 3, bias: false)
        bn1 = BatchNorm2d(64)
        relu = ReLU(inplace: true)
        maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        func stage(_ inPlanes: Int, _ planes: Int, _ stride: Int) -> Sequential {
            Sequential([BasicBlock(inPlanes, planes, stride: stride), BasicBlock(planes, planes)])
        }
        layer1 = stage(64, 64, 1); layer2 = stage(64, 128, 2); layer3 = stage(128, 256, 2); layer4 = stage(256, 512, 2)
        avgpool = AdaptiveAvgPool2d(1, 1)
        fc = Linear(512, numClasses)
        super.init()
        for m in modules() {
            if let c = m as? Conv2d { Init.kaimingNormal_(c.weight, mode: .fanOut, nonlinearity: .relu) }
            // BatchNorm2d already starts at weight 1, bias 0 (torchvision's constant_ calls draw nothing).
        }
    }

    /// Printed as torchvision's class, `ResNet`.
    public override var typeName: String { "ResNet" }

    public override func forward(_ x: Tensor) -> Tensor {
        var y = maxpool(relu(bn1(conv1(x))))
        y = layer4(layer3(layer2(layer1(y))))
        return fc(avgpool(y).flatten(1))
    }
}

/// `torchvision.models.resnet18(num_classes:)` (random initialisation; load pretrained weights with `loadStateDict`).
public func resnet18(numClasses: Int = 1000) -> ResNet18 { ResNet18(numClasses: numClasses) }
