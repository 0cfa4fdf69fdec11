// The models `ember train` builds by name, with the notes' training settings for each.
import Ember
import EmberNN
import EmberVision

/// A model `ember train --model NAME` can build, with the notes' settings for training it: learning rate,
/// batch size, the input it takes (channels, height, width; d2l resizes Fashion-MNIST to 224 for AlexNet and
/// to 96 for GoogLeNet) and the normalisation its images get.
public struct ModelRecipe {
    public let name: String
    /// Other names `--model` accepts (`resnet18` for `resnet18_d2l`, `cifar10-net` for `cifar10_net`).
    public let aliases: [String]
    public let learningRate: Double
    public let batchSize: Int
    public let inputShape: [Int]
    /// ImageNet's mean and std for torchvision's models, nil for the notes' own.
    public let mean: [Double]?
    public let std: [Double]?
    /// Builds the model with `numClasses` outputs, initialised as the notes train it.
    public let make: (_ numClasses: Int) -> Module

    /// A recipe: how `ember train` builds and trains one model.
    ///
    /// - Parameters:
    ///   - name: The name `ember train --model` takes.
    ///   - aliases: Other names `--model` accepts.
    ///   - learningRate: The default learning rate for the model.
    ///   - batchSize: The default batch size.
    ///   - inputShape: The shape of one input image `[C, H, W]`.
    ///   - mean: The per-channel mean images are normalised with (nil: not normalised).
    ///   - std: The per-channel standard deviation images are normalised with.
    ///   - make: Builds a new, initialised model with the given number of classes.
    public init(name: String, aliases: [String] = [], learningRate: Double, batchSize: Int = 256, inputShape: [Int],
                mean: [Double]? = nil, std: [Double]? = nil, make: @escaping (_ numClasses: Int) -> Module) {
        self.name = name
        self.aliases = aliases
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.inputShape = inputShape
        self.mean = mean
        self.std = std
        self.make = make
    }

    /// True for torchvision's models, whose state dicts `--weights` loads for fine-tuning.
    public var isTorchvision: Bool { name.hasPrefix("torchvision_") }

    static let imagenetMean = [0.485, 0.456, 0.406], imagenetStd = [0.229, 0.224, 0.225]

    /// d2l's `train_ch6` initialisation: Xavier-uniform weights for every linear and convolution layer.
    static func xavier(_ net: Module) -> Module {
        net.apply { m in
            if let l = m as? Linear { Init.xavierUniform_(l.weight) }
            if let c = m as? Conv2d { Init.xavierUniform_(c.weight) }
        }
        return net
    }

    /// The recipes, in the notes' order (what `--help` lists).
    public static let all: [ModelRecipe] = [
        ModelRecipe(name: "softmax", learningRate: 0.1, inputShape: [1, 28, 28]) { n in
            // d2l's softmax regression: weights from N(0, 0.01²).
            let net = Sequential { Flatten(); Linear(784, n) }
            net.apply { m in if let l = m as? Linear { Init.normal_(l.weight, std: 0.01) } }
            return net
        },
        ModelRecipe(name: "mlp", learningRate: 0.1, inputShape: [1, 28, 28]) { mlp(outputs: $0) },
        ModelRecipe(name: "lenet", learningRate: 0.9, inputShape: [1, 28, 28]) { xavier(lenet(numClasses: $0)) },
        ModelRecipe(name: "lenet_bn", aliases: ["lenet-bn"], learningRate: 1.0, inputShape: [1, 28, 28]) { xavier(lenetBN(numClasses: $0)) },
        ModelRecipe(name: "tiny-resnet", aliases: ["tiny_resnet"], learningRate: 0.05, inputShape: [1, 28, 28]) { tinyResNet(numClasses: $0) },
        ModelRecipe(name: "alexnet", learningRate: 0.01, batchSize: 128, inputShape: [1, 224, 224]) { xavier(alexnet(numClasses: $0)) },
        ModelRecipe(name: "vgg11_small", aliases: ["vgg11", "vgg"], learningRate: 0.05, batchSize: 128, inputShape: [1, 224, 224]) {
            xavier(vgg11(channelDivisor: 4, numClasses: $0))
        },
        ModelRecipe(name: "nin", learningRate: 0.1, batchSize: 128, inputShape: [1, 224, 224]) { xavier(nin(numClasses: $0)) },
        ModelRecipe(name: "googlenet", learningRate: 0.1, batchSize: 128, inputShape: [1, 96, 96]) { xavier(googlenet(numClasses: $0)) },
        ModelRecipe(name: "resnet18_d2l", aliases: ["resnet18", "resnet"], learningRate: 0.05, inputShape: [1, 96, 96]) {
            xavier(resnet18D2L(numClasses: $0))
        },
        ModelRecipe(name: "densenet", learningRate: 0.1, inputShape: [1, 96, 96]) { xavier(densenet(numClasses: $0)) },
        // The notes' CIFAR-10 course: SGD 0.01, batch 64, images as ToTensor gives them.
        ModelRecipe(name: "cifar10_net", aliases: ["cifar10-net"], learningRate: 0.01, batchSize: 64, inputShape: [3, 32, 32]) {
            CifarNet(numClasses: $0)
        },
        ModelRecipe(name: "torchvision_resnet18", aliases: ["torchvision-resnet18"], learningRate: 0.01, batchSize: 32,
                    inputShape: [3, 224, 224], mean: imagenetMean, std: imagenetStd) { resnet18(numClasses: $0) },
        ModelRecipe(name: "torchvision_vgg16", aliases: ["torchvision-vgg16", "vgg16"], learningRate: 0.01, batchSize: 32,
                    inputShape: [3, 224, 224], mean: imagenetMean, std: imagenetStd) { vgg16(numClasses: $0) },
    ]

    /// The recipe called `name` (or one of its aliases; `-` and `_` are the same), or nil.
    public static func named(_ name: String) -> ModelRecipe? {
        let key = name.lowercased().replacingOccurrences(of: "-", with: "_")
        func norm(_ s: String) -> String { s.replacingOccurrences(of: "-", with: "_") }
        return all.first { norm($0.name) == key || $0.aliases.map(norm).contains(key) }
    }
}
