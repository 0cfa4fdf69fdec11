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
import EmberDistributed
#if canImport(Glibc)
import Glibc
#endif

/// The optimizers `ember train --optimizer` offers.
public enum OptimizerChoice: String, CaseIterable { case sgd, adam, adamw }

/// The learning-rate schedules `ember train --scheduler` offers: none, `step` (×0.1 every third of the
/// epochs, `StepLR`) or `cosine` (`CosineAnnealingLR` over all epochs), stepped once per epoch.
public enum SchedulerChoice: String, CaseIterable { case none, step, cosine }

/// What a training run is asked to do; `validate()` says which values cannot work.
public struct TrainingConfiguration {
    public var model = "lenet"
    public var dataset: DatasetChoice = .fashionMNIST
    public var epochs = 10
    /// Mini-batch size; nil takes the model recipe's (the notes' value).
    public var batchSize: Int?
    /// The learning rate; nil takes the model recipe's (the notes' value).
    public var learningRate: Double?
    public var optimizer: OptimizerChoice = .sgd
    public var momentum = 0.0
    public var weightDecay = 0.0
    public var scheduler: SchedulerChoice = .none
    /// Resize images to this height and width (and build the model for it); nil: the recipe's size.
    public var resize: Int?
    /// `cpu`, or `cuda` (refused: this build has no CUDA backend).
    public var device = "cpu"
    public var workers = 2
    public var seed = 0
    /// Train on the first `limit` images only (quick runs).
    public var limit: Int?
    /// The folder holding the dataset's files.
    public var dataFolder: String
    /// Where logs, curves and checkpoints go.
    public var outputFolder: String
    /// Continue from `<outputFolder>/checkpoint.pt`.
    public var resume = false
    /// A torchvision-format state dict (`.pt`/`.safetensors`) to start from; the classifier's last layer is then
    /// replaced for the dataset's classes (fine-tuning, as the notes do with `vgg16(pretrained=True)`).
    public var weights: String?
    /// With `weights`: train only the new last layer.
    public var freezeFeatures = false
    /// Also save the model after every epoch (`model_epoch<N>.safetensors`, the CIFAR-10 course's habit).
    public var saveEachEpoch = false
    /// Data-parallel training over the ranks `mpirun` started (`ember train --distributed`): each rank trains on
    /// its `DistributedSampler` shard with `batchSize` images per step (global batch = ranks × batch size, PyTorch's
    /// convention) and `DistributedDataParallel` averages the gradients; rank 0 alone prints and writes files.
    public var distributed = false

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
        if let b = batchSize {
            guard (1...(1 << 20)).contains(b) else { throw bad("--batch-size must be at least 1 (and at most 1048576), got \(b)") }
        }
        if let lr = learningRate {
            guard lr.isFinite, lr > 0 else { throw bad("--lr must be a positive finite number, got \(lr)") }
        }
        guard momentum.isFinite, (0..<1).contains(momentum) else { throw bad("--momentum must be in [0, 1), got \(momentum)") }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw bad("--weight-decay must be a non-negative number, got \(weightDecay)") }
        if let r = resize { guard (8...1024).contains(r) else { throw bad("--resize must be from 8 to 1024, got \(r)") } }
        guard device == "cpu" else {
            throw bad(device == "cuda" || device.hasPrefix("cuda:") ? "--device \(device): this build of Ember has no CUDA backend (only cpu)"
                                                                    : "unknown device '\(device)': choose cpu")
        }
        guard (0...256).contains(workers) else { throw bad("--workers must be from 0 to 256, got \(workers)") }
        if let n = limit { guard n >= 1 else { throw bad("--limit must be at least 1, got \(n)") } }
        guard !outputFolder.isEmpty else { throw bad("--out must name a folder, got an empty string") }
        if freezeFeatures && weights == nil { throw bad("--freeze-features needs --weights (the features to keep)") }
        if weights != nil && !(ModelRecipe.named(model)?.isTorchvision ?? false) {
            throw bad("--weights loads torchvision's state dicts: use --model torchvision_resnet18 or torchvision_vgg16")
        }
        if distributed {
            if let why = MPI.unavailableReason {
                throw bad("--distributed needs Open MPI: \(why)")
            }
            guard MPI.isLaunchedByLauncher else {
                throw bad("--distributed: this process was not started by mpirun; run `mpirun -np N ember train --distributed ...` "
                          + "(as root or with more ranks than cores: `mpirun --allow-run-as-root --oversubscribe -np N ...`), "
                          + "or drop --distributed to train in one process")
            }
        }
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
    public let optimizer: Optimizer
    /// The data, preprocessed for the model (loaded by `init`).
    public let data: TrainingData
    public var learningRate: Double { configuration.learningRate ?? recipe.learningRate }
    public var batchSize: Int { configuration.batchSize ?? recipe.batchSize }
    /// The metrics of every finished epoch (earlier epochs included after a resume).
    public private(set) var history = TrainingHistory()
    var outputURL: URL { URL(fileURLWithPath: configuration.outputFolder) }
    public var checkpointURL: URL { outputURL.appendingPathComponent("checkpoint.pt") }
    /// The run's generator: seeded with `seed` for the model, re-seeded with (seed, epoch) before each epoch.
    let generator: Generator
    /// With `distributed`: the world group of the ranks `mpirun` started (nil otherwise).
    public let group: ProcessGroup?

    /// Validates `configuration`, loads the data and builds the model (its weights depend on the seed only, or
    /// come from `weights`) and the optimizer.
    public init(_ configuration: TrainingConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        let group: ProcessGroup?
        if configuration.distributed {
            do { group = try ProcessGroup.world() } catch { throw TrainingError.distributed("--distributed: \(error)") }
        } else {
            group = nil
        }
        self.group = group
        let recipe = ModelRecipe.named(configuration.model)!
        self.recipe = recipe
        let generator = Generator(seed: UInt64(truncatingIfNeeded: configuration.seed))
        self.generator = generator
        var shape = recipe.inputShape
        if let r = configuration.resize { shape = [shape[0], r, r] }
        let resize = configuration.resize != nil || configuration.dataset.nominalSize.map { [$0, $0] != Array(shape.dropFirst()) } ?? true
        // Distributed: each rank reads its own copy of the data and weights (a file missing or corrupt on one
        // machine fails there only), so the ranks agree on the outcome before any of them goes on.
        let (data, model) = try Self.together(group) { () throws -> (TrainingData, Module) in
            let data = try TrainingData(configuration.dataset, folder: configuration.dataFolder,
                                        preprocessing: Preprocessing(inputShape: shape, resize: resize, mean: recipe.mean, std: recipe.std),
                                        model: recipe.name, limit: configuration.limit)
            let classes = data.classes.count
            let weights = configuration.weights
            let model = try withGenerator(generator) { () throws -> Module in
                guard let path = weights else { return recipe.make(classes) }
                return try FineTuning.pretrained(recipe, weights: path, numClasses: classes)
            }
            return (data, model)
        }
        self.data = data
        self.model = model
        let trainable: [Tensor]
        if configuration.freezeFeatures {
            trainable = FineTuning.freezeAllButHead(model)
        } else {
            trainable = model.parameters()
        }
        let lr = configuration.learningRate ?? recipe.learningRate
        switch configuration.optimizer {
        case .sgd: optimizer = SGD(trainable, lr: lr, momentum: configuration.momentum, weightDecay: configuration.weightDecay)
        case .adam: optimizer = Adam(trainable, lr: lr, weightDecay: configuration.weightDecay)
        case .adamw: optimizer = AdamW(trainable, lr: lr, weightDecay: configuration.weightDecay)
        }
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
        let rank = group?.rank ?? 0, worldSize = group?.worldSize ?? 1
        let isMain = rank == 0
        // Rank 0 alone prints, logs and writes files; the others train silently.
        func say(_ line: String) { if isMain { report(line) } }
        try together { if isMain { try prepareOutputFolder() } }
        let makeLoader = { (set: AnyDataset<(Tensor, Int)>, shuffle: Bool) in
            DataLoader(set, batchSize: self.batchSize, shuffle: shuffle, numWorkers: c.workers)
        }
        let trainLoader = makeLoader(data.train, true)
        // Distributed: each rank's shard of the training set, reshuffled each epoch by the sampler (from seed + epoch,
        // the same order on every rank), which the loader then visits in order. The test set is split without padding
        // (rank r takes images r, r + N, …) so that the all-reduced test metrics count every image exactly once.
        let sampler = group.map {
            DistributedSampler(datasetCount: data.train.count, numReplicas: $0.worldSize, rank: $0.rank, shuffle: true,
                               seed: UInt64(bitPattern: Int64(c.seed)))
        }
        let testSet = group == nil ? data.test
                                   : AnyDataset(Subset(data.test, indices: Array(Swift.stride(from: rank, to: data.test.count, by: worldSize))))
        let testLoader = makeLoader(testSet, false)
        let scheduler: LRScheduler? = {
            switch c.scheduler {
            case .none: return nil
            case .step: return StepLR(optimizer, stepSize: Swift.max(1, c.epochs / 3), gamma: 0.1)
            case .cosine: return CosineAnnealingLR(optimizer, tMax: c.epochs)
            }
        }()

        var startEpoch = 0
        if c.resume {
            // Every rank loads the checkpoint (the same file: --out on a shared file system with several machines).
            let (epoch, saved) = try together { () throws -> (Int, TrainingHistory?) in
                guard FileManager.default.fileExists(atPath: checkpointURL.path) else {
                    throw TrainingError.invalidOption("--resume: no checkpoint at \(checkpointURL.path)")
                }
                return try loadTrainingCheckpointWithHistory(from: checkpointURL, model: model, optimizer: optimizer)
            }
            if epoch > c.epochs { throw TrainingError.checkpointPastEpochs(file: checkpointURL.path, checkpointEpoch: epoch, epochs: c.epochs) }
            startEpoch = epoch
            history = saved ?? TrainingHistory()
            if history.epochs != epoch { history = TrainingHistory() }   // a checkpoint without history: curves restart
            for _ in 0..<epoch { scheduler?.step() }
            say("resumed from \(checkpointURL.path) at epoch \(epoch)")
            if epoch == c.epochs {
                say("nothing to train: the checkpoint already has \(epoch) epochs; pass --epochs \(epoch + 1) or more to continue")
                return
            }
        }
        // The module trained: wrapped for data parallelism (which checks that every rank built the same model and
        // copies rank 0's weights), else the model itself. Checkpoints always hold `model`'s own state dict.
        let net: Module = group.map { DistributedDataParallel(model, group: $0) } ?? model

        let stepsPerEpoch = sampler.map { ($0.numSamples + batchSize - 1) / batchSize } ?? trainLoader.count
        var step = startEpoch * stepsPerEpoch
        let writer: SummaryWriter? = try together {
            guard isMain else { return nil }
            return try SummaryWriter(logDir: outputURL.appendingPathComponent("tensorboard").path, purgeStep: c.resume ? step + 1 : nil)
        }
        // Rank 0's first batch may hold a file that cannot be read: every rank learns of it (`together`).
        try together {
            guard !c.resume, let writer else { return }
            let perRank = group == nil ? "" : " world_size=\(worldSize) (batch_size per rank)"
            writer.addText("config", "model=\(recipe.name) dataset=\(c.dataset) epochs=\(c.epochs) batch_size=\(batchSize) lr=\(learningRate) optimizer=\(c.optimizer.rawValue) seed=\(c.seed) train_images=\(data.train.count)" + perRank)
            var firstBatch = trainLoader.makeIterator()
            if let (x, _) = try firstBatch.nextBatch() {
                writer.addImages("train/first_batch", x.narrow(0, start: 0, length: Swift.min(32, x.shape[0])))
                // Traced in eval mode: no BatchNorm statistics change, and one image is enough.
                model.eval()
                writer.addGraph(model: model, input: x.narrow(0, start: 0, length: 1))
                model.train()
            }
        }

        let batchText = group == nil ? "batch \(batchSize)" : "batch \(batchSize) per rank × \(worldSize) ranks = \(batchSize * worldSize)"
        say("training \(recipe.name) on \(data.train.count) \(c.dataset) images for \(c.epochs) epochs (\(batchText), \(c.optimizer.rawValue) lr \(learningRate))")
        var lastCheckpoint: String? = c.resume ? checkpointURL.path : nil
        // Distributed: a batch whose loss is not finite on any rank stops every rank at the same step (one small
        // all-reduce per step), instead of the others waiting in backward for a rank that stopped.
        let lossFunction: (Tensor, Tensor) -> Tensor = { [group] yHat, y in
            let l = F.crossEntropy(yHat, y)
            guard let g = group, g.worldSize > 1 else { return l }
            let bad = g.allReduce([l.item().isFinite ? 0 : 1])[0]
            return bad > 0 && l.item().isFinite ? l * Double.nan : l
        }
        for epoch in startEpoch..<c.epochs {
            // Rank 0 draws what a single process would; other ranks get their own dropout and augmentation streams.
            let seed = ClassifierTraining.epochSeed(c.seed, epoch)
            generator.manualSeed(rank == 0 ? seed : SplitMix64.mix(seed &+ UInt64(rank)))
            let loader: DataLoader<AnyDataset<(Tensor, Int)>, (Tensor, Tensor)>
            if var s = sampler {
                s.setEpoch(epoch)
                loader = makeLoader(AnyDataset(Subset(data.train, indices: s.indices())), false)
            } else {
                loader = trainLoader
            }
            let bar = isMain ? ProgressBar(total: stepsPerEpoch, label: "epoch \(epoch + 1)/\(c.epochs)") : nil
            let running = Accumulator(3)
            var stats: (loss: Double, accuracy: Double, samplesPerSecond: Double)
            do {
                stats = try trainEpoch(net, loader, optimizer: optimizer, lossFunction: lossFunction) { i, loss, acc in
                    running.add(loss, acc, 1)
                    step += 1
                    writer?.addScalar("train/batch_loss", loss, step: step)
                    bar?.update(i + 1, metrics: [("loss", running[0] / running[2]), ("acc", running[1] / running[2])])
                }
            } catch let e as NonFiniteLossError {
                bar?.finish()
                try? writer?.close()
                throw TrainingError.diverged(epoch: epoch + 1, step: step + 1, loss: e.loss, lastCheckpoint: lastCheckpoint)
            } catch {
                // Only this rank failed (a sample it could not load, an error in its step); the others already wait
                // in this step's collectives, so the job stops at once with this rank's message.
                if let g = group, g.worldSize > 1 {
                    bar?.finish()
                    g.abort("epoch \(epoch + 1), step \(step + 1): \(error)")
                }
                throw error
            }
            scheduler?.step()
            var test: (loss: Double, accuracy: Double)
            do {
                test = try evaluate(model, testLoader)
            } catch {
                // A test image this rank could not load: as in training, the job stops with its message.
                if let g = group, g.worldSize > 1 { g.abort("epoch \(epoch + 1), testing: \(error)") }
                throw error
            }
            if let g = group, let s = sampler {
                // Sums over all ranks: loss × images, correct images, images (and throughput).
                let n = Double(s.numSamples), m = Double(testSet.count)
                let r = g.allReduce([stats.loss * n, stats.accuracy * n, n, stats.samplesPerSecond, test.loss * m, test.accuracy * m, m])
                stats = (r[0] / Swift.max(r[2], 1), r[1] / Swift.max(r[2], 1), r[3])
                test = (r[4] / Swift.max(r[6], 1), r[5] / Swift.max(r[6], 1))
            }
            bar?.finish(metrics: [("loss", stats.loss), ("train acc", stats.accuracy), ("test loss", test.loss), ("test acc", test.accuracy)],
                        samplesPerSecond: stats.samplesPerSecond)
            history.append(loss: stats.loss, trainAccuracy: stats.accuracy, testAccuracy: test.accuracy)
            // Rank 0 writes; `together` then acts as the barrier, so no rank starts the next epoch before the
            // checkpoint is complete (and a failed write stops every rank).
            try together {
                guard isMain, let writer else { return }
                // The checkpoint first: what is logged below is then never ahead of what a resume restores.
                try saveTrainingCheckpoint(model: model, optimizer: optimizer, epoch: epoch + 1,
                                           extra: [("test_acc", .double(test.accuracy)), ("train_loss", .double(stats.loss)),
                                                   ("seed", .int(c.seed)), ("history", history.checkpointValue)] + describeModel(),
                                           to: checkpointURL)
                if c.saveEachEpoch {
                    try save(model.stateDict(), to: outputURL.appendingPathComponent("model_epoch\(epoch + 1).safetensors"))
                }
                writer.addScalar("epoch/train_loss", stats.loss, step: step)
                writer.addScalar("epoch/train_acc", stats.accuracy, step: step)
                writer.addScalar("epoch/test_loss", test.loss, step: step)
                writer.addScalar("epoch/test_acc", test.accuracy, step: step)
                for (name, p) in model.namedParameters() { writer.addHistogram("weights/\(name)", p.detach(), step: step) }
                try saveCurves()
                try writer.flush()
            }
            lastCheckpoint = checkpointURL.path
        }
        try together {
            guard isMain, let writer else { return }
            try save(model.stateDict(), to: outputURL.appendingPathComponent("model.safetensors"))
            try writer.close()
        }
        say("""
        outputs in \(outputURL.path):
          tensorboard/      (tensorboard --logdir \(outputURL.path))
          curves.svg, curves.png
          checkpoint.pt     (epoch, model, optimizer; torch.load works)
          model.safetensors
        """)
    }

    /// Runs `body` on this rank; in a distributed run every rank then learns (one all-reduce, which also serves as
    /// the barrier) whether any rank failed, and all of them throw: the failed rank its error, the others
    /// `TrainingError.distributed`. Without a group (or with one rank) it only runs `body`.
    func together<R>(_ body: () throws -> R) throws -> R { try Self.together(group, body) }

    /// `together` for `group` (also before the run exists: its initialiser loads the data on every rank).
    static func together<R>(_ group: ProcessGroup?, _ body: () throws -> R) throws -> R {
        let result = Result { try body() }
        guard let g = group, g.worldSize > 1 else { return try result.get() }
        var failed = 0.0
        if case .failure = result { failed = 1 }
        let flags = g.allGather(Tensor([failed]))
        if let first = flags.firstIndex(where: { $0.item() != 0 }), first != g.rank, case .success = result {
            throw TrainingError.distributed("stopping: rank \(first) failed (its message is above)")
        }
        return try result.get()
    }

    /// What `ember eval` and `ember predict` need to rebuild the model and prepare images like training did.
    func describeModel() -> [(String, CheckpointValue)] {
        let p = data.preprocessing
        var out: [(String, CheckpointValue)] = [
            ("model_name", .string(recipe.name)), ("dataset", .string(configuration.dataset.description)),
            ("classes", .list(data.classes.map { .string($0) })), ("input_shape", .list(p.inputShape.map { .int($0) })),
            ("resize", .bool(p.resize)),
        ]
        if let m = p.mean, let s = p.std {
            out += [("normalize_mean", .list(m.map { .double($0) })), ("normalize_std", .list(s.map { .double($0) }))]
        }
        return out
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

}
