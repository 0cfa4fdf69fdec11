// ResNet-18 in torchvision's layout (same module names, so torchvision state dicts load by key).
import Ember
import EmberNN

/// torchvision's `BasicBlock`: conv3×3-bn-relu-conv3×3-bn plus the (optionally downsampled) shortcut.
public final class BasicBlock: Module {
    public let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d
    public let downsample: Sequential?

    public init(_ inPlanes: Int, _ planes: Int, stride: Int = 1) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false)
        bn1 = BatchNorm2d(planes)
        conv2 = Conv2d(planes, planes, kernelSize: 3, padding: 1, bias: false)
        bn2 = BatchNorm2d(planes)
        downsample = (stride != 1 || inPlanes != planes)
            ? Sequential { Conv2d(inPlanes, planes, kernelSize: 1, stride: stride, bias: false); BatchNorm2d(planes) }
            : nil
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let y = bn2(conv2(bn1(conv1(x)).relu()))
        return (y + (downsample.map { $0(x) } ?? x)).relu()
    }
}

/// ResNet-18 (`torchvision.models.resnet18(num_classes:)`), with torchvision's module names
/// (`conv1`, `bn1`, `layer1.0.conv1`, `layer2.0.downsample.0`, `fc`) and its initialisation
/// (Kaiming-normal fan-out for convolutions, BatchNorm weight 1 / bias 0).
///
/// Shape: `[N, 3, H, W]` → `[N, numClasses]` (any H, W ≥ 32 thanks to the adaptive pooling).
public final class ResNet18: Module {
    public let conv1: Conv2d, bn1: BatchNorm2d, maxpool: MaxPool2d
    public let layer1: Sequential, layer2: Sequential, layer3: Sequential, layer4: Sequential
    public let avgpool: AdaptiveAvgPool2d, fc: Linear

    public init(numClasses: Int = 1000, inChannels: Int = 3) {
        conv1 = Conv2d(inChannels, 64, kernelSize: 7, stride: 2, padding: 3, bias: false)
        bn1 = BatchNorm2d(64)
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
        }
    }

    public override func forward(_ x: Tensor) -> Tensor {
        var y = maxpool(bn1(conv1(x)).relu())
        y = layer4(layer3(layer2(layer1(y))))
        return fc(avgpool(y).flatten(1))
    }
}
