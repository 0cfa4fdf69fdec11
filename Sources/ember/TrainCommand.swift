// `ember train`: the main job — train a model of the notes on Fashion-MNIST with a progress bar,
// TensorBoard logs, a training-curve plot and checkpoints.
import ArgumentParser
import Foundation
import EmberKit

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a classifier on Fashion-MNIST (LeNet by default, as in the notes' chapter 7).",
        discussion: """
        Writes into --out: TensorBoard logs (tensorboard --logdir <out>), curves.svg and curves.png (loss and
        accuracies per epoch), checkpoint.pt (epoch, model, optimizer: loads in PyTorch with torch.load) and
        model.safetensors. --resume continues from checkpoint.pt.
        """)

    @Option(help: "Model: lenet, mlp, tiny-resnet.") var model = "lenet"
    @Option(help: "Epochs.") var epochs = 10
    @Option(help: "Mini-batch size.") var batchSize = 256
    @Option(help: "Learning rate (SGD).") var lr: Double?
    @Option(help: "Folder with the Fashion-MNIST IDX .gz files (default: $EMBER_DATA_DIR/fashion-mnist, else the copy in the package's Data/fashion-mnist).")
    var data: String?
    @Option(help: "Output folder.") var out: String?
    @Option(help: "DataLoader worker threads.") var workers = 2
    @Option(help: "Random seed (initialisation, shuffling).") var seed = 0
    @Option(help: "Use only the first N training images (quick runs).") var limit: Int?
    @Flag(help: "Continue from <out>/checkpoint.pt.") var resume = false

    func run() throws {
        // Line-buffered stdout, so messages interleave correctly with the progress bar on stderr.
        setvbuf(stdout, nil, _IOLBF, 0)
        manualSeed(seed)
        let root = try resolveDataFolder()
        let (net, defaultLR) = try makeModel()
        let learningRate = lr ?? defaultLR
        let outDir = URL(fileURLWithPath: out ?? "runs/\(model)")
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)

        let trainSet = try FashionMNIST(root: root, train: true, transform: ToTensor())
        let testSet = try FashionMNIST(root: root, train: false, transform: ToTensor())
        let trainData: AnyDataset<(Tensor, Int)> = limit.map { AnyDataset(Subset(trainSet, indices: Array(0..<Swift.min($0, trainSet.count)))) } ?? AnyDataset(trainSet)
        let trainLoader = DataLoader(trainData, batchSize: batchSize, shuffle: true, numWorkers: workers)
        let testLoader = DataLoader(testSet, batchSize: batchSize, shuffle: false, numWorkers: workers)

        let optimizer = SGD(net.parameters(), lr: learningRate)
        let checkpointURL = outDir.appendingPathComponent("checkpoint.pt")
        var startEpoch = 0
        if resume {
            startEpoch = try loadTrainingCheckpoint(from: checkpointURL, model: net, optimizer: optimizer)
            print("resumed from \(checkpointURL.path) at epoch \(startEpoch)")
        }

        let writer = try SummaryWriter(logDir: outDir.appendingPathComponent("tensorboard").path)
        writer.addText("config", "model=\(model) epochs=\(epochs) batch_size=\(batchSize) lr=\(learningRate) seed=\(seed) train_images=\(trainData.count)")
        if let (x, _) = trainLoader.first(where: { _ in true }) {
            writer.addImages("train/first_batch", x.narrow(0, start: 0, length: Swift.min(32, x.shape[0])))
            writer.addGraph(model: net, input: x.narrow(0, start: 0, length: 1))
        }

        print("training \(model) on \(trainData.count) Fashion-MNIST images for \(epochs) epochs (batch \(batchSize), lr \(learningRate))")
        var plot = LinePlot(xLabel: "epoch")
        var step = startEpoch * trainLoader.count
        for epoch in startEpoch..<epochs {
            let bar = ProgressBar(total: trainLoader.count, label: "epoch \(epoch + 1)/\(epochs)")
            var running = Accumulator(3)
            let stats = trainEpoch(net, trainLoader, optimizer: optimizer, lossFunction: { F.crossEntropy($0, $1) }) { i, loss, acc in
                running.add(loss, acc, 1)
                writer.addScalar("train/batch_loss", loss, step: step)
                step += 1
                bar.update(i + 1, metrics: [("loss", running[0] / running[2]), ("acc", running[1] / running[2])])
            }
            let testAcc = evaluateAccuracy(net, testLoader)
            bar.finish(metrics: [("loss", stats.loss), ("train acc", stats.accuracy), ("test acc", testAcc)],
                       samplesPerSecond: stats.samplesPerSecond)
            writer.addScalar("epoch/train_loss", stats.loss, step: epoch + 1)
            writer.addScalar("epoch/train_acc", stats.accuracy, step: epoch + 1)
            writer.addScalar("epoch/test_acc", testAcc, step: epoch + 1)
            for (name, p) in net.namedParameters() { writer.addHistogram("weights/\(name)", p.detach(), step: epoch + 1) }
            plot.add("train loss", x: Double(epoch + 1), y: stats.loss)
            plot.add("train acc", x: Double(epoch + 1), y: stats.accuracy)
            plot.add("test acc", x: Double(epoch + 1), y: testAcc)
            try plot.saveSVG(to: outDir.appendingPathComponent("curves.svg"))
            try plot.savePNG(to: outDir.appendingPathComponent("curves.png"))
            try saveTrainingCheckpoint(model: net, optimizer: optimizer, epoch: epoch + 1,
                                       extra: [("test_acc", .double(testAcc)), ("train_loss", .double(stats.loss))], to: checkpointURL)
            try writer.flush()
        }
        try save(net.stateDict(), to: outDir.appendingPathComponent("model.safetensors"))
        try writer.close()
        print("""
        outputs in \(outDir.path):
          tensorboard/      (tensorboard --logdir \(outDir.path))
          curves.svg, curves.png
          checkpoint.pt     (epoch, model, optimizer; torch.load works)
          model.safetensors
        """)
    }

    /// The model and the notes' learning rate for it.
    func makeModel() throws -> (Module, Double) {
        switch model {
        case "lenet":
            let net = lenet()
            // The notes initialise LeNet with Xavier-uniform weights.
            net.apply { m in
                if let l = m as? Linear { Init.xavierUniform_(l.weight) }
                if let c = m as? Conv2d { Init.xavierUniform_(c.weight) }
            }
            return (net, 0.9)
        case "mlp": return (mlp(), 0.1)
        case "tiny-resnet": return (tinyResNet(), 0.05)
        default: throw ValidationError("unknown model '\(model)': choose lenet, mlp or tiny-resnet")
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
