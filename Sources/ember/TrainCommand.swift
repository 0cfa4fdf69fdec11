// `ember train`: the main job — train a model of the notes on Fashion-MNIST with a progress bar,
// TensorBoard logs, a training-curve plot and checkpoints. A thin layer over EmberTrain's ClassifierTraining.
import ArgumentParser
import Foundation
import EmberKit

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a classifier of the notes (LeNet on Fashion-MNIST by default, as in chapter 7).",
        discussion: """
        Writes into --out: TensorBoard logs (tensorboard --logdir <out>), curves.svg and curves.png (loss and \
        accuracies per epoch), checkpoint.pt (epoch, model, optimizer: loads in PyTorch with torch.load) and \
        model.safetensors. --resume continues from checkpoint.pt and gives the same weights as an uninterrupted run.

        Several processes (data parallelism over Open MPI): mpirun -np N ember train --distributed ... (as root or \
        with more ranks than cores: mpirun --allow-run-as-root --oversubscribe -np N ...). Each rank trains on its \
        shard of the images with --batch-size images per step, so the global batch is N × --batch-size (PyTorch's \
        convention); gradients are averaged across ranks. Rank 0 alone prints and writes --out; its checkpoint \
        resumes on any number of ranks, or in one process without --distributed.
        """)

    @Option(help: "Model: \(ModelRecipe.all.map(\.name).joined(separator: ", ")) (each with the notes' learning rate, batch size and image size).")
    var model = "lenet"
    @Option(help: "Dataset: fashion-mnist (ships with Ember), mnist, cifar10 (downloaded on first use), imagefolder=PATH (PATH/train, PATH/val), or timemachine (a language model: --model rnn, gru, lstm or transformer).")
    var dataset = "fashion-mnist"
    @Option(help: "With --dataset timemachine: char (d2l's 28 characters) or bpe (a byte-level BPE of 1000 tokens trained on the book).")
    var tokenizer = "char"
    @Option(help: "With --dataset timemachine: tokens per subsequence (default 35 for RNNs, 64 for the Transformer).")
    var numSteps: Int?
    @Option(help: "With --dataset timemachine: hidden units of the RNN.") var hidden = 256
    @Option(help: "With --dataset timemachine: train on the first N tokens only, as d2l's max_tokens (default 10000 for the character RNNs, as d2l; the whole book for the Transformer and BPE; 0: the whole book).")
    var maxTokens: Int?
    @Option(help: "With --dataset timemachine: hold out this fraction of the tokens (the book's tail) and report a validation loss each epoch (default 0: none).")
    var validationFraction = 0.0
    @Flag(help: .hidden) var exportReplay = false
    @Option(help: "Epochs.") var epochs = 10
    @Option(help: "Mini-batch size (default: the notes' value for the model); with --distributed, per rank (global batch = ranks × batch size).") var batchSize: Int?
    @Option(help: "Learning rate (default: the notes' value for the model).") var lr: Double?
    @Option(help: "Optimizer: sgd, adam, adamw.") var optimizer = "sgd"
    @Option(help: "SGD momentum.") var momentum = 0.0
    @Option(help: "Weight decay.") var weightDecay = 0.0
    @Option(help: "Learning-rate schedule: none, step (x0.1 every third of the epochs), cosine.") var scheduler = "none"
    @Option(help: "Resize images to N×N (default: the size the notes train the model at).") var resize: Int?
    @Option(help: "Device: cpu (cuda is not in this build).") var device = "cpu"
    @Option(help: "Folder with the dataset's files (default: $EMBER_DATA_DIR/<dataset>, the package's Data/, else data/<dataset> for downloads).")
    var data: String?
    @Option(help: "Output folder (default: runs/<model>).") var out: String?
    @Option(help: "DataLoader worker threads.") var workers = 2
    @Option(help: "Random seed (initialisation, shuffling).") var seed = 0
    @Option(help: "Use only the first N training images (quick runs).") var limit: Int?
    @Option(help: "Start from torchvision weights (.pt or .safetensors) and replace the last layer for the dataset's classes.")
    var weights: String?
    @Flag(help: "With --weights: train only the new last layer.") var freezeFeatures = false
    @Flag(help: "Also save the model after every epoch (model_epoch<N>.safetensors).") var saveEachEpoch = false
    @Flag(help: "Continue from <out>/checkpoint.pt.") var resume = false
    @Flag(help: "Train on every rank started by mpirun (mpirun -np N ember train --distributed ...): data parallelism over Open MPI.")
    var distributed = false

    /// The run's configuration (the data folder is resolved in `run`, so that `validate` needs no files).
    func trainingConfiguration(dataFolder: String) throws -> TrainingConfiguration {
        var c = TrainingConfiguration(dataFolder: dataFolder, outputFolder: out ?? "runs/\(model)")
        guard let d = DatasetChoice(argument: dataset) else {
            throw ValidationError("unknown dataset '\(dataset)': choose fashion-mnist, mnist, cifar10 or imagefolder=PATH")
        }
        guard let o = OptimizerChoice(rawValue: optimizer.lowercased()) else {
            throw ValidationError("unknown optimizer '\(optimizer)': choose \(OptimizerChoice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let s = SchedulerChoice(rawValue: scheduler.lowercased()) else {
            throw ValidationError("unknown scheduler '\(scheduler)': choose \(SchedulerChoice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        c.model = model; c.dataset = d; c.epochs = epochs; c.batchSize = batchSize; c.learningRate = lr
        c.optimizer = o; c.momentum = momentum; c.weightDecay = weightDecay; c.scheduler = s; c.resize = resize
        c.device = device; c.workers = workers; c.seed = seed; c.limit = limit; c.resume = resume
        c.weights = weights; c.freezeFeatures = freezeFeatures; c.distributed = distributed
        c.saveEachEpoch = saveEachEpoch || ModelRecipe.named(model)?.name == "cifar10_net"
        return c
    }

    var isLanguageModel: Bool { dataset.lowercased() == "timemachine" || dataset.lowercased() == "time-machine" }

    /// The language-model run's configuration (`--dataset timemachine`).
    func languageModelConfiguration() throws -> LanguageModelConfiguration {
        var c = LanguageModelConfiguration(outputFolder: out ?? "runs/\(model)")
        guard let kind = LanguageModelKind(rawValue: model == "lenet" ? "gru" : model.lowercased()) else {
            throw ValidationError("unknown language model '\(model)': choose \(LanguageModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let t = TokenizerChoice(rawValue: tokenizer.lowercased()) else {
            throw ValidationError("unknown tokenizer '\(tokenizer)': choose char or bpe")
        }
        c.kind = kind; c.tokenizer = t; c.epochs = epochs; c.batchSize = batchSize ?? 32; c.numSteps = numSteps
        c.learningRate = lr; c.hiddenSize = hidden; c.seed = seed; c.resume = resume; c.bookPath = data
        c.maxTokens = maxTokens; c.validationFraction = validationFraction; c.exportReplay = exportReplay
        if out == nil { c.outputFolder = "runs/\(kind.rawValue)-lm" }
        return c
    }

    /// Option values that cannot work are usage errors (exit 64 with the usage line), not traps.
    func validate() throws {
        if isLanguageModel {
            if distributed { throw ValidationError("--distributed trains classifiers only, not --dataset timemachine") }
            do { try languageModelConfiguration().validate() } catch let e as TrainingError { throw ValidationError(e.description) }
            return
        }
        do { try trainingConfiguration(dataFolder: data ?? "").validate() } catch let e as TrainingError {
            throw ValidationError(e.description)
        }
    }

    func run() throws {
        // Line-buffered stdout, so messages interleave correctly with the progress bar on stderr.
        setvbuf(stdout, nil, _IOLBF, 0)
        if isLanguageModel {
            try LanguageModelTraining(languageModelConfiguration()).run()
            return
        }
        do {
            let training = try ClassifierTraining(trainingConfiguration(dataFolder: try resolveDataFolder()))
            try training.run()
        } catch let e as TrainingError {
            if case .invalidOption = e { throw ValidationError(e.description) }
            throw e
        }
    }

    func resolveDataFolder() throws -> String {
        guard let choice = DatasetChoice(argument: dataset) else { return data ?? "" }
        let folder = choice.folder(explicit: data)
        if choice == .fashionMNIST, data == nil, !FileManager.default.fileExists(atPath: folder) {
            let looked = BundledData.candidates(for: "fashion-mnist")
            throw ValidationError("Fashion-MNIST not found (looked in \(looked.isEmpty ? "no folder: Data/ is missing from this checkout" : looked.joined(separator: ", "))); pass --data FOLDER holding train-images-idx3-ubyte.gz etc.")
        }
        return folder
    }
}
