// `ember eval` and `ember predict`: check a trained classifier on a test set (accuracy and confusion table)
// or on a person's own photos (top-5 classes and a labelled image grid).
import ArgumentParser
import Foundation
import EmberKit

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Accuracy and per-class confusion table of a checkpoint written by ember train, on a test set.")

    @Option(help: "The checkpoint (checkpoint.pt written by ember train).") var checkpoint: String
    @Option(help: "Dataset (default: the one the checkpoint was trained on).") var dataset: String?
    @Option(help: "Folder with the dataset's files (default as for ember train).") var data: String?
    @Option(help: "Mini-batch size.") var batchSize = 256

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let d = dataset, DatasetChoice(argument: d) == nil {
            throw ValidationError("unknown dataset '\(d)': choose fashion-mnist, mnist, cifar10 or imagefolder=PATH")
        }
    }

    func run() throws {
        let saved = try SavedClassifier(checkpoint: URL(fileURLWithPath: checkpoint))
        guard let choice = dataset.flatMap(DatasetChoice.init(argument:)) ?? saved.dataset else {
            throw ValidationError("the checkpoint does not say which dataset it was trained on: pass --dataset")
        }
        let data = try TrainingData(choice, folder: choice.folder(explicit: self.data), preprocessing: saved.preprocessing,
                                    model: saved.recipe.name)
        guard data.classes.count == saved.classes.count else {
            throw ValidationError("\(choice) has \(data.classes.count) classes, the checkpoint's model \(saved.classes.count)")
        }
        let loader = DataLoader(data.test, batchSize: batchSize, numWorkers: 2)
        let counts = try confusionMatrix(saved.model, loader, classes: saved.classes.count)
        let total = counts.joined().reduce(0, +), correct = counts.indices.map { counts[$0][$0] }.reduce(0, +)
        print(String(format: "accuracy %.4f (%d of %d %@ test images)", Double(correct) / Double(Swift.max(total, 1)), correct, total, "\(choice)"))
        print(confusionTable(counts, classes: saved.classes))
    }
}

/// Rows: true class; columns: predicted class (abbreviated to 7 characters); last column: the class's recall.
func confusionTable(_ counts: [[Int]], classes: [String]) -> String {
    let labelWidth = Swift.min(14, classes.map(\.count).max() ?? 5)
    func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
        let t = String(s.prefix(n))
        let fill = String(repeating: " ", count: n - t.count)
        return left ? t + fill : fill + t
    }
    var lines = ["confusion (rows: true class, columns: predicted)",
                 pad("", labelWidth, left: true) + classes.map { pad(String($0.prefix(7)), 8) }.joined() + pad("recall", 8)]
    for (i, row) in counts.enumerated() {
        let n = row.reduce(0, +)
        lines.append(pad(classes[i], labelWidth, left: true) + row.map { pad(String($0), 8) }.joined()
                     + pad(n > 0 ? String(format: "%.3f", Double(row[i]) / Double(n)) : "-", 8))
    }
    return lines.joined(separator: "\n")
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify your own images with a checkpoint written by ember train: top classes with probabilities, and a labelled grid PNG.",
        discussion: "Each image gets the preprocessing the model was trained with (gray or RGB, resized to the model's size, ToTensor, normalisation).")

    @Option(help: "The checkpoint (checkpoint.pt written by ember train).") var checkpoint: String
    @Option(help: "How many classes to list per image.") var top = 5
    @Option(help: "Where to write the labelled image grid.") var grid = "predictions.png"
    @Argument(help: "Image files (PNG or JPEG).") var images: [String]

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
        guard !images.isEmpty else { throw ValidationError("give at least one image file") }
    }

    func run() throws {
        let saved = try SavedClassifier(checkpoint: URL(fileURLWithPath: checkpoint))
        let decoded = try images.map { try Image(contentsOf: $0) }
        let results = try saved.predict(decoded, top: top)
        for (path, best) in zip(images, results) {
            print(path)
            for (label, p) in best { print(String(format: "  %6.2f%%  %@", 100 * p, label)) }
        }
        let captions = results.map { r in r.first.map { String(format: "%@ (%.0f%%)", $0.label, 100 * $0.probability) } ?? "" }
        try saveImageGrid(decoded, captions: captions, to: URL(fileURLWithPath: grid))
        print("labelled grid: \(grid)")
    }
}
