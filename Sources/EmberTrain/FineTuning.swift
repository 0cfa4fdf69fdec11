// Fine-tuning as the notes do it: torchvision's weights, a new last layer for the dataset's classes, and
// optionally only that layer trained.
import Foundation
import Ember
import EmberNN
import EmberIO
import EmberVision

/// Loading pretrained torchvision weights into the zoo's torchvision models and swapping their classifier.
public enum FineTuning {
    /// The model of `recipe` with the weights in `path` (a torchvision-format state dict, `.pt` or
    /// `.safetensors`), its last layer replaced by a fresh `Linear` for `numClasses` when the weights were
    /// trained for another number of classes (`vgg.classifier[6] = nn.Linear(4096, n)`, `net.fc = ...`).
    ///
    /// - Parameters:
    ///   - recipe: The model to build.
    ///   - path: The torchvision-format weights (`.pt` or `.safetensors`).
    ///   - numClasses: The number of classes of the task to fine-tune for.
    public static func pretrained(_ recipe: ModelRecipe, weights path: String, numClasses: Int) throws -> Module {
        let sd = try loadStateDict(from: URL(fileURLWithPath: path))
        let headKey = sd.names.last { $0.hasSuffix(".weight") && sd[$0]!.rank == 2 }
        guard let key = headKey, let saved = sd[key] else {
            throw TrainingError.invalidWeights(file: path, problem: "holds no linear layer's weight (expected torchvision's \(recipe.name) state dict)")
        }
        let net = recipe.make(saved.shape[0])
        do { try net.loadStateDict(sd) } catch {
            throw TrainingError.invalidWeights(file: path, problem: "does not fit \(recipe.name): \(error)")
        }
        if saved.shape[0] != numClasses { replaceHead(of: net, numClasses: numClasses) }
        return net
    }

    /// The classifier's last layer: `fc` of a ResNet, `classifier[6]` of a VGG, else the last `Linear`.
    public static func head(of net: Module) -> Linear? {
        if let r = net as? ResNet18 { return r.fc }
        if let v = net as? VGG, let l = v.classifier.layers.last(where: { $0 is Linear }) as? Linear { return l }
        return net.namedModules().last { $0.1 is Linear }?.1 as? Linear
    }

    /// Replaces the last layer by a fresh `Linear(inFeatures, numClasses)` (PyTorch's default initialisation).
    public static func replaceHead(of net: Module, numClasses: Int) {
        if let r = net as? ResNet18 {
            r.fc = Linear(r.fc.inFeatures, numClasses)
        } else if let v = net as? VGG, let i = v.classifier.layers.lastIndex(where: { $0 is Linear }),
                  let old = v.classifier[i] as? Linear {
            v.classifier[i] = Linear(old.inFeatures, numClasses)
        }
    }

    /// Turns off gradients for every parameter but the last layer's and returns those to train
    /// (`for p in net.features.parameters(): p.requires_grad = False`).
    public static func freezeAllButHead(_ net: Module) -> [Tensor] {
        let headParams = head(of: net)?.parameters() ?? []
        let keep = Set(headParams.map { ObjectIdentifier($0) })
        for p in net.parameters() where !keep.contains(ObjectIdentifier(p)) { p.requiresGrad = false }
        return headParams
    }
}
