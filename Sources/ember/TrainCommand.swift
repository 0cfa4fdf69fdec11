// `ember train`: the main job — train a model of the notes on Fashion-MNIST with a progress bar,
// TensorBoard logs, a training-curve plot and checkpoints. A thin layer over EmberTrain's ClassifierTraining.
import ArgumentParser
import Foundation
import EmberKit

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a classifier on Fashion-MNIST (LeNet by default, as in the notes' chapter 7).",
        discussion: """
        Writes into --out: TensorBoard logs (tensorboard --logdir <out>), curves.svg and curves.png (loss and \
        accuracies per epoch), checkpoint.pt (epoch, model, optimizer: loads in PyTorch with torch.load) and \
        model.safetensors. --resume continues from checkpoint.pt and gives the same weights as an uninterrupted run.
        """)

    @Option(help: "Model: \(ModelRecipe.all.map(\.name).joined(separator: ", ")).") var model = "lenet"
    @Option(help: "Epochs.") var epochs = 10
    @Option(help: "Mini-batch size.") var batchSize = 256
    @Option(help: "Learning rate (SGD); default: the notes' value for the model.") var lr: Double?
    @Option(help: "Folder with the Fashion-MNIST IDX .gz files (default: $EMBER_DATA_DIR/fashion-mnist, else the copy in the package's Data/fashion-mnist).")
    var data: String?
    @Option(help: "Output folder (default: runs/<model>).") var out: String?
    @Option(help: "DataLoader worker threads.") var workers = 2
    @Option(help: "Random seed (initialisation, shuffling).") var seed = 0
    @Option(help: "Use only the first N training images (quick runs).") var limit: Int?
    @Flag(help: "Continue from <out>/checkpoint.pt.") var resume = false

    /// The run's configuration (the data folder is resolved in `run`, so that `validate` needs no files).
    func trainingConfiguration(dataFolder: String) -> TrainingConfiguration {
        var c = TrainingConfiguration(dataFolder: dataFolder, outputFolder: out ?? "runs/\(model)")
        c.model = model; c.epochs = epochs; c.batchSize = batchSize; c.learningRate = lr
        c.workers = workers; c.seed = seed; c.limit = limit; c.resume = resume
        return c
    }

    /// Option values that cannot work are usage errors (exit 64 with the usage line), not traps.
    func validate() throws {
        do { try trainingConfiguration(dataFolder: data ?? "").validate() } catch let e as TrainingError {
            throw ValidationError(e.description)
        }
    }

    func run() throws {
        // Line-buffered stdout, so messages interleave correctly with the progress bar on stderr.
        setvbuf(stdout, nil, _IOLBF, 0)
        let training = try ClassifierTraining(trainingConfiguration(dataFolder: try resolveDataFolder()))
        do { try training.run() } catch let e as TrainingError {
            if case .invalidOption = e { throw ValidationError(e.description) }
            throw e
        }
    }

    func resolveDataFolder() throws -> String {
        if let d = data { return d }  // the dataset reports what is missing there
        let file = "train-images-idx3-ubyte.gz"
        if let found = BundledData.folder(for: "fashion-mnist", containing: file) { return found }
        let looked = BundledData.candidates(for: "fashion-mnist")
        throw ValidationError("Fashion-MNIST not found (looked in \(looked.isEmpty ? "no folder: Data/ is missing from this checkout" : looked.joined(separator: ", "))); pass --data FOLDER holding \(file) etc.")
    }
}
