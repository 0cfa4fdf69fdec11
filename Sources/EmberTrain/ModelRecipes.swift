// The models `ember train` builds by name, with the notes' learning rate and the image size each takes.
import Ember
import EmberNN
import EmberVision

/// A model `ember train --model NAME` can build: how to make it, the notes' learning rate for it, and the
/// input it takes (channels, height, width).
public struct ModelRecipe {
    public let name: String
    public let learningRate: Double
    public let inputShape: [Int]
    public let make: () -> Module

    /// A recipe: how `ember train` builds and trains one model.
    ///
    /// - Parameters:
    ///   - name: The name `ember train --model` takes.
    ///   - learningRate: The default learning rate for the model.
    ///   - inputShape: The shape of one input image `[C, H, W]`.
    ///   - make: Builds a new, initialised model.
    public init(name: String, learningRate: Double, inputShape: [Int], make: @escaping () -> Module) {
        self.name = name
        self.learningRate = learningRate
        self.inputShape = inputShape
        self.make = make
    }

    /// The recipes, in the order `--help` lists them.
    public static let all: [ModelRecipe] = [
        ModelRecipe(name: "lenet", learningRate: 0.9, inputShape: [1, 28, 28]) {
            let net = lenet()
            // The notes initialise LeNet with Xavier-uniform weights.
            net.apply { m in
                if let l = m as? Linear { Init.xavierUniform_(l.weight) }
                if let c = m as? Conv2d { Init.xavierUniform_(c.weight) }
            }
            return net
        },
        ModelRecipe(name: "mlp", learningRate: 0.1, inputShape: [1, 28, 28]) { mlp() },
        ModelRecipe(name: "tiny-resnet", learningRate: 0.05, inputShape: [1, 28, 28]) { tinyResNet() },
    ]

    /// The recipe called `name`, or nil.
    public static func named(_ name: String) -> ModelRecipe? { all.first { $0.name == name } }
}
