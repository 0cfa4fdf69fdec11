// ModelZoo: every network of the zoo by name, with the input size the notes train it at.
import Ember
import EmberNN

/// The zoo's networks by name (the names of `zoo.json` and of `ember train --model`).
///
/// ```swift
/// let net = ModelZoo.make("googlenet")!           // the notes' GoogLeNet, 10 classes
/// let x = Tensor.rand([1] + ModelZoo.entry("googlenet")!.inputShape)
/// ```
public enum ModelZoo {
    /// One network: its name, the `[C, H, W]` input the notes use, and a builder taking the number of classes.
    public struct Entry: Sendable {
        public let name: String
        public let inputShape: [Int]
        public let build: @Sendable (_ numClasses: Int) -> Module
    }

    /// Every network, in the notes' order.
    public static let entries: [Entry] = [
        Entry(name: "lenet", inputShape: [1, 28, 28]) { lenet(numClasses: $0) },
        Entry(name: "lenet_bn", inputShape: [1, 28, 28]) { lenetBN(numClasses: $0) },
        Entry(name: "alexnet", inputShape: [1, 224, 224]) { alexnet(numClasses: $0) },
        Entry(name: "vgg11_small", inputShape: [1, 224, 224]) { vgg11(channelDivisor: 4, numClasses: $0) },
        Entry(name: "nin", inputShape: [1, 224, 224]) { nin(numClasses: $0) },
        Entry(name: "googlenet", inputShape: [1, 96, 96]) { googlenet(numClasses: $0) },
        Entry(name: "resnet18_d2l", inputShape: [1, 96, 96]) { resnet18D2L(numClasses: $0) },
        Entry(name: "densenet", inputShape: [1, 96, 96]) { densenet(numClasses: $0) },
        Entry(name: "cifar10_net", inputShape: [3, 32, 32]) { CifarNet(numClasses: $0) },
        Entry(name: "torchvision_resnet18", inputShape: [3, 224, 224]) { resnet18(numClasses: $0) },
        Entry(name: "torchvision_vgg16", inputShape: [3, 224, 224]) { vgg16(numClasses: $0) },
    ]

    /// The names of every network.
    public static var names: [String] { entries.map(\.name) }

    /// The entry called `name`, or nil.
    public static func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// A fresh network called `name` with `numClasses` outputs (default 10; torchvision's VGG-16 defaults to
    /// 1000 in torchvision, pass it explicitly), or nil for an unknown name.
    public static func make(_ name: String, numClasses: Int = 10) -> Module? { entry(name)?.build(numClasses) }
}
