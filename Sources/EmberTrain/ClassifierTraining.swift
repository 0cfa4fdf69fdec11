// The main job of `ember train`: train a classifier of the notes on Fashion-MNIST with a progress bar,
// TensorBoard logs, training curves and checkpoints, resumable bit for bit.
import Foundation
import Ember
import EmberNN
import EmberOptim
import EmberData
import EmberVision
import EmberBoard
import EmberIO
#if canImport(Glibc)
import Glibc
#endif

/// What a training run is asked to do; `validate()` says which values cannot work.
public struct TrainingConfiguration {
    public var model = "lenet"
    public var epochs = 10
    public var batchSize = 256
    /// The SGD learning rate; nil takes the model recipe's (the notes' value).
    public var learningRate: Double?
    public var workers = 2
    public var seed = 0
    /// Train on the first `limit` images only (quick runs).
    public var limit: Int?
    /// The folder holding the Fashion-MNIST IDX files.
    public var dataFolder: String
    /// Where logs, curves and checkpoints go.
    public var outputFolder: String
    /// Continue from `<outputFolder>/checkpoint.pt`.
    public var resume = false

    public init(dataFolder: String, outputFolder: String) {
        self.dataFolder = dataFolder
        self.outputFolder = outputFolder
    }

    /// Throws `TrainingError.invalidOption` for the first value that cannot work, naming the option.
    public func validate() throws {
        func bad(_ m: String) -> TrainingError { .invalidOption(m) }
        guard ModelRecipe.named(model) != nil else {
            throw bad("unknown model '\(model)': choose \(ModelRecipe.all.map(\.name).joined(separator: ", "))")
        }
        guard (1...1_000_000).contains(epochs) else { throw bad("--epochs must be at least 1 (and at most 1000000), got \(epochs)") }
        guard (1...(1 << 20)).contains(batchSize) else { throw bad("--batch-size must be at least 1 (and at most 1048576), got \(batchSize)") }
        if let lr = learningRate {
            guard lr.isFinite, lr > 0 else { throw bad("--lr must be a positive finite number, got \(lr)") }
        }
        guard (0...256).contains(workers) else { throw bad("--workers must be from 0 to 256, got \(workers)") }
        if let n = limit { guard n >= 1 else { throw bad("--limit must be at least 1, got \(n)") } }
        guard !outputFolder.isEmpty else { throw bad("--out must name a folder, got an empty string") }
    }
}

/// One run of `ember train`: builds the model, loads the data, trains, logs and checkpoints.
///
/// The run draws from its own generator (bound with `withGenerator`, so other threads' use of the default
/// generator cannot disturb it): the model's initialisation from `seed`, and each epoch's randomness
/// (shuffling, dropout, augmentation) from (seed, epoch), so stopping after any epoch and resuming with
/// `resume = true` gives bit for bit the weights of an uninterrupted run. The TensorBoard step is the number of optimizer steps taken; a resumed
/// run tells TensorBoard to drop what the interrupted run logged after its checkpoint (`purge_step`).
public final class ClassifierTraining {
    public let configuration: TrainingConfiguration
    public let recipe: ModelRecipe
    public let model: Module
    public let optimizer: SGD
    public var learningRate: Double { configuration.learningRate ?? recipe.learningRate }
    /// The metrics of every finished epoch (earlier epochs included after a resume).
    public private(set) var history = TrainingHistory()
    var outputURL: URL { URL(fileURLWithPath: configuration.outputFolder) }
    public var checkpointURL: URL { outputURL.appendingPathComponent("checkpoint.pt") }
    /// The run's generator: seeded with `seed` for the model, re-seeded with (seed, epoch) before each epoch.
    let generator: Generator

    /// Validates `configuration` and builds the model (after `manualSeed(seed)`, so its weights depend on the seed only).
    public init(_ configuration: TrainingConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        recipe = ModelRecipe.named(configuration.model)!
        generator = Generator(seed: UInt64(truncatingIfNeeded: configuration.seed))
        let recipe = recipe
        model = withGenerator(generator) { recipe.make() }
        optimizer = SGD(model.parameters(), lr: configuration.learningRate ?? recipe.learningRate)
    }

    /// The seed of epoch `epoch`'s generator: a mix of the run's seed and the epoch.
    static func epochSeed(_ seed: Int, _ epoch: Int) -> UInt64 {
        SplitMix64.mix(UInt64(bitPattern: Int64(seed)) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch) &+ 1)
    }

    /// Trains; `report` receives the lines a person reads (the progress bar goes to standard error).
    public func run(report: (String) -> Void = { print($0) }) throws {
        try withGenerator(generator) { try runWithOwnGenerator(report: report) }
    }

    private func runWithOwnGenerator(report: (String) -> Void) throws {
        let c = configuration
        try prepareOutputFolder()
        let trainSet = try FashionMNIST(root: c.dataFolder, train: true, transform: ToTensor())
        let testSet = try FashionMNIST(root: c.dataFolder, train: false, transform: ToTensor())
        try checkImageSize(trainSet.data)
        let trainData: AnyDataset<(Tensor, Int)> = c.limit.map { AnyDataset(Subset(trainSet, indices: Array(0..<Swift.min($0, trainSet.count)))) } ?? AnyDataset(trainSet)
        let trainLoader = DataLoader(trainData, batchSize: c.batchSize, shuffle: true, numWorkers: c.workers)
        let testLoader = DataLoader(testSet, batchSize: c.batchSize, shuffle: false, numWorkers: c.workers)

        var startEpoch = 0
        if c.resume {
            guard FileManager.default.fileExists(atPath: checkpointURL.path) else {
                throw TrainingError.invalidOption("--resume: no checkpoint at \(checkpointURL.path)")
            }
            let (epoch, saved) = try loadTrainingCheckpointWithHistory(from: checkpointURL, model: model, optimizer: optimizer)
            if epoch > c.epochs { throw TrainingError.checkpointPastEpochs(file: checkpointURL.path, checkpointEpoch: epoch, epochs: c.epochs) }
            startEpoch = epoch
            history = saved ?? TrainingHistory()
            if history.epochs != epoch { history = TrainingHistory() }   // a checkpoint without history: curves restart
            report("resumed from \(checkpointURL.path) at epoch \(epoch)")
            if epoch == c.epochs {
                report("nothing to train: the checkpoint already has \(epoch) epochs; pass --epochs \(epoch + 1) or more to continue")
                return
            }
        }

        let stepsPerEpoch = trainLoader.count
        var step = startEpoch * stepsPerEpoch
        let writer = try SummaryWriter(logDir: outputURL.appendingPathComponent("tensorboard").path,
                                       purgeStep: c.resume ? step + 1 : nil)
        if !c.resume {
            writer.addText("config", "model=\(c.model) epochs=\(c.epochs) batch_size=\(c.batchSize) lr=\(learningRate) seed=\(c.seed) train_images=\(trainData.count)")
            if let (x, _) = trainLoader.first(where: { _ in true }) {
                writer.addImages("train/first_batch", x.narrow(0, start: 0, length: Swift.min(32, x.shape[0])))
                writer.addGraph(model: model, input: x.narrow(0, start: 0, length: 1))
            }
        }

        report("training \(c.model) on \(trainData.count) Fashion-MNIST images for \(c.epochs) epochs (batch \(c.batchSize), lr \(learningRate))")
        var lastCheckpoint: String? = c.resume ? checkpointURL.path : nil
        for epoch in startEpoch..<c.epochs {
            generator.manualSeed(ClassifierTraining.epochSeed(c.seed, epoch))
            let bar = ProgressBar(total: stepsPerEpoch, label: "epoch \(epoch + 1)/\(c.epochs)")
            var running = Accumulator(3)
            let stats: (loss: Double, accuracy: Double, samplesPerSecond: Double)
            do {
                stats = try trainEpoch(model, trainLoader, optimizer: optimizer, lossFunction: { F.crossEntropy($0, $1) }) { i, loss, acc in
                    running.add(loss, acc, 1)
                    step += 1
                    writer.addScalar("train/batch_loss", loss, step: step)
                    bar.update(i + 1, metrics: [("loss", running[0] / running[2]), ("acc", running[1] / running[2])])
                }
            } catch let e as NonFiniteLossError {
                bar.finish()
                try? writer.close()
                throw TrainingError.diverged(epoch: epoch + 1, step: step + 1, loss: e.loss, lastCheckpoint: lastCheckpoint)
            }
            let testAcc = evaluateAccuracy(model, testLoader)
            bar.finish(metrics: [("loss", stats.loss), ("train acc", stats.accuracy), ("test acc", testAcc)],
                       samplesPerSecond: stats.samplesPerSecond)
            history.append(loss: stats.loss, trainAccuracy: stats.accuracy, testAccuracy: testAcc)
            // The checkpoint first: what is logged below is then never ahead of what a resume restores.
            try saveTrainingCheckpoint(model: model, optimizer: optimizer, epoch: epoch + 1,
                                       extra: [("test_acc", .double(testAcc)), ("train_loss", .double(stats.loss)),
                                               ("seed", .int(c.seed)), ("history", history.checkpointValue)], to: checkpointURL)
            lastCheckpoint = checkpointURL.path
            writer.addScalar("epoch/train_loss", stats.loss, step: step)
            writer.addScalar("epoch/train_acc", stats.accuracy, step: step)
            writer.addScalar("epoch/test_acc", testAcc, step: step)
            for (name, p) in model.namedParameters() { writer.addHistogram("weights/\(name)", p.detach(), step: step) }
            try saveCurves()
            try writer.flush()
        }
        try save(model.stateDict(), to: outputURL.appendingPathComponent("model.safetensors"))
        try writer.close()
        report("""
        outputs in \(outputURL.path):
          tensorboard/      (tensorboard --logdir \(outputURL.path))
          curves.svg, curves.png
          checkpoint.pt     (epoch, model, optimizer; torch.load works)
          model.safetensors
        """)
    }

    /// Writes curves.svg and curves.png from the whole history.
    func saveCurves() throws {
        var plot = LinePlot(xLabel: "epoch")
        for (i, (l, (a, t))) in zip(history.trainLoss, zip(history.trainAccuracy, history.testAccuracy)).enumerated() {
            plot.add("train loss", x: Double(i + 1), y: l)
            plot.add("train acc", x: Double(i + 1), y: a)
            plot.add("test acc", x: Double(i + 1), y: t)
        }
        try plot.saveSVG(to: outputURL.appendingPathComponent("curves.svg"))
        try plot.savePNG(to: outputURL.appendingPathComponent("curves.png"))
    }

    /// Creates the output folder and checks that it can be written, with a sentence for each failure.
    func prepareOutputFolder() throws {
        let path = configuration.outputFolder
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw TrainingError.outputFolder(path: path, reason: "it is a file, not a folder") }
        } else {
            // mkdir(2) component by component, so the failure's errno becomes the message.
            var prefix = path.hasPrefix("/") ? "/" : ""
            for part in path.split(separator: "/") {
                prefix += part + "/"
                if mkdir(prefix, 0o777) != 0 && errno != EEXIST {
                    throw TrainingError.outputFolder(path: path, reason: "cannot create \(prefix): " + String(cString: strerror(errno)).lowercased())
                }
            }
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw TrainingError.outputFolder(path: path, reason: String(cString: strerror(errno)).lowercased())
        }
    }

    /// Refuses images whose size the model does not take, naming the file.
    func checkImageSize(_ images: Tensor) throws {
        let found = [1] + Array(images.shape.dropFirst())
        guard found == recipe.inputShape else {
            let file = (configuration.dataFolder as NSString).appendingPathComponent("train-images-idx3-ubyte.gz")
            throw TrainingError.unsuitableImages(file: file, found: found, model: recipe.name, expected: recipe.inputShape)
        }
    }
}
