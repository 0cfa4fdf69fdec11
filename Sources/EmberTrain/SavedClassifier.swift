// A classifier saved by `ember train`: its checkpoint rebuilt into a model with the preprocessing it was
// trained with, for `ember eval` and `ember predict` (the notes' "model verification" on a person's own photos).
import Foundation
import Ember
import EmberNN
import EmberIO
import EmberVision

/// A model and everything needed to feed it images the way training did, read from a `checkpoint.pt` that
/// `ember train` wrote (`model_name`, `classes`, `input_shape`, `resize`, `normalize_mean/std` beside the weights).
public struct SavedClassifier {
    public let recipe: ModelRecipe
    public let model: Module
    public let classes: [String]
    public let preprocessing: Preprocessing
    /// The dataset it was trained on (`fashion-mnist`, `cifar10`, `imagefolder=PATH`), if recorded.
    public let dataset: DatasetChoice?

    /// Reads and checks the checkpoint, rebuilds the model and loads its weights (eval mode).
    public init(checkpoint url: URL) throws {
        let file = url.path
        func fail(_ field: String, _ problem: String) -> TrainingError { .invalidCheckpoint(file: file, field: field, problem: problem) }
        let value = try loadCheckpoint(from: url)
        guard let root = value.dict else { throw fail("(top level)", "is a \(value.kindName), not a dict") }
        guard case .string(let name)? = root["model_name"] else {
            throw fail("model_name", "is missing: this checkpoint was not written by ember train (or by an older version)")
        }
        guard let recipe = ModelRecipe.named(name) else { throw fail("model_name", "names an unknown model '\(name)'") }
        guard let classItems = root["classes"]?.elements, !classItems.isEmpty else { throw fail("classes", "is missing or empty") }
        let classes = try classItems.map { v -> String in
            guard case .string(let s) = v else { throw fail("classes", "holds a \(v.kindName), not a class name") }
            return s
        }
        guard let shapeItems = root["input_shape"]?.elements, shapeItems.count == 3,
              case let dims = shapeItems.compactMap(\.int), dims.count == 3, dims.allSatisfy({ (1...4096).contains($0) }),
              dims[0] == 1 || dims[0] == 3 else {
            throw fail("input_shape", "is not [channels (1 or 3), height, width]")
        }
        var pre = Preprocessing(inputShape: dims, resize: root["resize"]?.bool ?? true)
        if let m = root["normalize_mean"]?.elements?.compactMap(\.double), let s = root["normalize_std"]?.elements?.compactMap(\.double) {
            guard m.count == dims[0], s.count == dims[0], s.allSatisfy({ $0 > 0 && $0.isFinite }), m.allSatisfy(\.isFinite) else {
                throw fail("normalize_std", "does not hold one positive number per channel")
            }
            pre.mean = m; pre.std = s
        }
        let model = recipe.make(classes.count)
        _ = try loadTrainingCheckpoint(from: url, model: model, optimizer: nil)
        model.eval()
        self.recipe = recipe
        self.model = model
        self.classes = classes
        self.preprocessing = pre
        if case .string(let d)? = root["dataset"] { dataset = DatasetChoice(argument: d) } else { dataset = nil }
    }

    /// The image as the model takes it: gray or RGB, resized to the model's size, `ToTensor`, normalised.
    public func tensor(for image: Image) throws -> Tensor {
        var p = preprocessing
        p.resize = true   // a person's photo has any size
        return try p.transform(storedChannels: image.channels).apply(.image(image.channels == 1 || image.channels == 3 ? image : image.converted(to: .rgb))).asTensor()
    }

    /// The `k` most probable classes of each image, with their softmax probabilities, best first.
    public func predict(_ images: [Image], top k: Int = 5) throws -> [[(label: String, probability: Double)]] {
        guard !images.isEmpty else { return [] }
        let batch = try Tensor.stack(images.map { try tensor(for: $0) })
        let probabilities = noGrad { model(batch).softmax(dim: 1) }
        return (0..<images.count).map { i in
            let row = probabilities[i].toArray(as: Double.self)
            return row.enumerated().sorted { $0.element > $1.element }.prefix(Swift.min(k, row.count)).map { (classes[$0.offset], $0.element) }
        }
    }
}
