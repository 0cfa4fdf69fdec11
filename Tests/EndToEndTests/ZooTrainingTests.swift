// `ember train` beyond LeNet (issue 13 §3): other datasets and models, fine-tuning torchvision's models from a
// state dict, eval's confusion table and predict's top classes.
import Foundation
import Testing
import EmberKit
import _EmberTestSupport

@Suite("Zoo training", .serialized)
struct ZooTrainingTests {
    @Test func fineTuningReplacesTheHeadAndFreezesTheRest() throws {
        let root = try temporaryRunFolder("folder"), out = try temporaryRunFolder("finetune")
        defer { for d in [root, out] { try? FileManager.default.removeItem(at: d) } }
        try writeImageFolder(root)
        // "Pretrained" weights in torchvision's layout and format (1000 ImageNet classes).
        let pretrained = withGenerator(Generator(seed: 3)) { resnet18(numClasses: 1000) }
        let weights = out.appendingPathComponent("resnet18.pt")
        try save(pretrained.stateDict(), to: weights)

        var c = TrainingConfiguration(dataFolder: root.path, outputFolder: out.appendingPathComponent("run").path)
        c.model = "torchvision_resnet18"; c.dataset = .imageFolder(root.path); c.epochs = 1; c.batchSize = 4
        c.resize = 32; c.weights = weights.path; c.freezeFeatures = true; c.workers = 0
        let run = try ClassifierTraining(c)
        try run.run(report: { _ in })
        let net = try #require(run.model as? ResNet18)
        #expect(net.fc.outFeatures == 2)
        // Everything but the new head is exactly the pretrained weights.
        let before = Dictionary(uniqueKeysWithValues: pretrained.stateDict().map { ($0.name, $0.tensor) })
        for (name, t) in net.stateDict() where !name.hasPrefix("fc.") && !name.contains("running_") && !name.contains("num_batches") {
            #expect(t.scalars == before[name]?.scalars, "\(name) changed")
        }
        #expect(net.fc.weight.requiresGrad && !net.conv1.weight.requiresGrad)

        // The checkpoint rebuilds into a classifier that knows the classes and the preprocessing.
        let saved = try SavedClassifier(checkpoint: run.checkpointURL)
        #expect(saved.classes == ["dark", "light"] && saved.preprocessing.inputShape == [3, 32, 32])
        #expect(saved.preprocessing.mean == [0.485, 0.456, 0.406])
        let top = try saved.predict([Image(width: 40, height: 30, mode: .rgb, fill: 200)], top: 2)
        #expect(top.count == 1 && top[0].count == 2 && abs(top[0].map(\.probability).reduce(0, +) - 1) < 1e-6)
    }

    /// The notes' fine-tuning with a state dict PyTorch itself wrote (torchvision's resnet18 layout, saved by
    /// `torch.save`; `Tests/Fixtures/torch/make_resnet18_weights.py`): on the notes' hymenoptera photos when
    /// `EMBER_DATA_DIR` holds them (CI), else on a small synthetic image folder.
    @Test func fineTuningFromWeightsPyTorchSaved() throws {
        let out = try temporaryRunFolder("finetune-torch")
        defer { try? FileManager.default.removeItem(at: out) }
        let packed = try Data(contentsOf: packageRoot.appendingPathComponent("Tests/Fixtures/torch/resnet18_tiled.pt.gz"))
        let weights = out.appendingPathComponent("resnet18.pt")
        try gunzip(packed, name: "resnet18_tiled.pt.gz").write(to: weights)
        let pytorchSaved = try loadStateDict(from: weights.path)

        var folder = out.appendingPathComponent("folder")
        if let shared = ProcessInfo.processInfo.environment["EMBER_DATA_DIR"],
           FileManager.default.fileExists(atPath: shared + "/hymenoptera_data/train/ants") {
            folder = URL(fileURLWithPath: shared + "/hymenoptera_data")
        } else {
            try writeImageFolder(folder)
        }
        var c = TrainingConfiguration(dataFolder: folder.path, outputFolder: out.appendingPathComponent("run").path)
        c.model = "torchvision_resnet18"; c.dataset = .imageFolder(folder.path); c.epochs = 1; c.batchSize = 8
        c.resize = 64; c.limit = 32; c.weights = weights.path; c.freezeFeatures = true; c.workers = 0
        let run = try ClassifierTraining(c)
        try run.run(report: { _ in })
        let net = try #require(run.model as? ResNet18)
        #expect(net.fc.outFeatures == 2)
        // The frozen features are PyTorch's tensors bit for bit; the new head trained.
        let saved = Dictionary(uniqueKeysWithValues: pytorchSaved.map { ($0.name, $0.tensor) })
        var compared = 0
        for (name, t) in net.stateDict() where !name.hasPrefix("fc.") && !name.contains("running_") && !name.contains("num_batches") {
            let same = t.scalars == saved[name]?.scalars
            #expect(same, "\(name) differs from the file PyTorch saved")
            compared += 1
        }
        #expect(compared == 60, "the features' weights and batch-norm affine parameters")
        let finite = run.history.trainLoss.allSatisfy { $0.isFinite }
        #expect(finite && run.history.trainLoss.count == 1)
    }

    @Test func weightsThatDoNotFitAreRefused() throws {
        let root = try temporaryRunFolder("folder")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeImageFolder(root, perClass: 1)
        let bad = root.appendingPathComponent("lenet.pt")
        try save(lenet().stateDict(), to: bad)
        var c = TrainingConfiguration(dataFolder: root.path, outputFolder: root.appendingPathComponent("run").path)
        c.model = "torchvision_vgg16"; c.dataset = .imageFolder(root.path); c.weights = bad.path
        #expect { try ClassifierTraining(c) } throws: { e in
            guard case .invalidWeights(let file, let problem)? = e as? TrainingError else { return false }
            return file == bad.path && problem.contains("does not fit torchvision_vgg16")
        }
    }

    @Test func recipesKnowTheNotesSettings() throws {
        #expect(ModelRecipe.named("resnet18")?.name == "resnet18_d2l")
        #expect(ModelRecipe.named("cifar10-net")?.inputShape == [3, 32, 32])
        #expect(ModelRecipe.named("alexnet")?.inputShape == [1, 224, 224])
        #expect(ModelRecipe.named("vgg16")?.isTorchvision == true)
        // Every zoo model has a recipe, and every recipe builds a model that takes its input.
        for name in ModelZoo.names { #expect(ModelRecipe.named(name) != nil, "\(name)") }
        let table = confusionMatrixTableCheck()
        #expect(table)
    }

    /// The confusion matrix counts (true, predicted) pairs: a model that always predicts class 1.
    func confusionMatrixTableCheck() -> Bool {
        final class AlwaysOne: Module {
            override func forward(_ x: Tensor) -> Tensor { Tensor([Float(0), 1, 0], shape: [1, 3]).expand([x.shape[0], 3]) }
        }
        let x = Tensor.zeros([4, 1]), y = Tensor([Int64(0), 1, 1, 2])
        let m = confusionMatrix(AlwaysOne(), [(x, y)], classes: 3)
        return m == [[0, 1, 0], [0, 2, 0], [0, 1, 0]]
    }

    /// The notes' "model verification" on real pictures: a CIFAR-10 course model trained one epoch on the CIFAR-10
    /// subset, asked about two CIFAR-10 test images and the notes' ants photo (needs EMBER_DATA_DIR).
    @Test(.enabled(if: dataDirectory != nil)) func predictOnRealPictures() throws {
        let data = try #require(dataDirectory)
        let out = try temporaryRunFolder("predict")
        defer { try? FileManager.default.removeItem(at: out) }
        var c = TrainingConfiguration(dataFolder: data.appendingPathComponent("cifar-10-batches-bin-subset").path, outputFolder: out.path)
        c.model = "cifar10-net"; c.dataset = .cifar10; c.epochs = 1; c.workers = 0
        let run = try ClassifierTraining(c)
        try run.run(report: { _ in })
        let saved = try SavedClassifier(checkpoint: run.checkpointURL)
        #expect(saved.classes == CIFAR10.defaultClasses)
        let test = try CIFAR10(root: data.appendingPathComponent("cifar-10-batches-bin-subset").path, train: false)
        let photos = [test.image(at: 0), test.image(at: 1),
                      try Image(contentsOf: data.appendingPathComponent("hymenoptera_data/train/ants/0013035.jpg").path)]
        let results = try saved.predict(photos, top: 5)
        #expect(results.count == 3 && results.allSatisfy { $0.count == 5 })
        for r in results {
            #expect(Set(r.map(\.label)).isSubset(of: Set(CIFAR10.defaultClasses)))
            #expect(zip(r, r.dropFirst()).allSatisfy { $0.probability >= $1.probability })
        }
        let grid = out.appendingPathComponent("grid.png")
        try saveImageGrid(photos, captions: results.map { $0[0].label }, to: grid)
        let back = try Image(contentsOf: grid.path)
        #expect(back.width > 3 * 128 && back.height > 128)
    }
}
