// The language-model main job: `ember train --dataset timemachine --model rnn|gru|lstm|transformer` — d2l's
// `train_ch8` on H. G. Wells' The Time Machine (characters, or byte-level BPE subwords), with perplexity per
// epoch, TensorBoard, curves and checkpoints; and `ember generate` from a checkpoint.
import Foundation
import Ember
import EmberNN
import EmberOptim
import EmberIO
import EmberText
import EmberBoard

/// What `ember train --dataset timemachine` is asked to do.
public struct LanguageModelConfiguration {
    public var kind: LanguageModelKind = .gru
    public var tokenizer: TokenizerChoice = .char
    public var epochs = 10
    public var batchSize = 32
    /// Tokens per subsequence (d2l's `num_steps`); nil: 35 for RNNs, 64 for the Transformer.
    public var numSteps: Int?
    /// nil: 1 with SGD for RNNs (d2l), 1e-3 with AdamW for the Transformer.
    public var learningRate: Double?
    public var hiddenSize = 256
    public var seed = 0
    public var useRandomIter = false
    /// Keep only the first this many tokens of the book, as d2l's `max_tokens` (≤ 0: the whole book). nil: 10,000
    /// for the character RNNs, as d2l's `load_data_time_machine` (the book's 500-epoch recipe memorises them to a
    /// perplexity near 1), the whole book for the Transformer and for BPE.
    public var maxTokens: Int?
    /// The fraction of the corpus's tail held out: trained on never, scored each epoch (validation loss, in
    /// eval mode, state carried over sequential batches from offset 0). 0: no validation.
    public var validationFraction = 0.0
    /// Also write what a twin in another framework needs to train from the same start on the same batches:
    /// `<out>/replay/initial_model.pt` (the model's state dict before the first step, PyTorch's format) and
    /// `<out>/replay/offsets.txt` (each epoch's sequential-partitioning offset, one line per epoch).
    /// `Benchmarks/torch_lm_parity.py` reads them.
    public var exportReplay = false
    /// The book's file or folder (nil: `$EMBER_DATA_DIR/timemachine`, else the copy in `Data/`).
    public var bookPath: String?
    public var outputFolder: String
    public var resume = false

    public init(outputFolder: String) { self.outputFolder = outputFolder }

    /// `maxTokens` with its default filled in.
    public var effectiveMaxTokens: Int { maxTokens ?? (kind != .transformer && tokenizer == .char ? 10_000 : -1) }

    public func validate() throws {
        func bad(_ m: String) -> TrainingError { .invalidOption(m) }
        guard (1...1_000_000).contains(epochs) else { throw bad("--epochs must be at least 1 (and at most 1000000), got \(epochs)") }
        guard (1...4096).contains(batchSize) else { throw bad("--batch-size must be from 1 to 4096, got \(batchSize)") }
        if let n = numSteps { guard (1...4096).contains(n) else { throw bad("--num-steps must be from 1 to 4096, got \(n)") } }
        if let lr = learningRate { guard lr.isFinite, lr > 0 else { throw bad("--lr must be a positive finite number, got \(lr)") } }
        guard (1...8192).contains(hiddenSize) else { throw bad("--hidden must be from 1 to 8192, got \(hiddenSize)") }
        guard !outputFolder.isEmpty else { throw bad("--out must name a folder, got an empty string") }
        guard validationFraction.isFinite, (0...0.5).contains(validationFraction) else {
            throw bad("--validation-fraction must be from 0 to 0.5, got \(validationFraction)")
        }
        guard !(exportReplay && useRandomIter) else { throw bad("--export-replay records sequential offsets; it cannot be used with random sampling") }
    }
}

/// One language-model run: d2l's `train_ch8` (state carried across sequential batches and detached, gradients
/// clipped to norm 1, perplexity per epoch), with the same checkpoints, logs and curves as `ember train`.
public final class LanguageModelTraining {
    public let configuration: LanguageModelConfiguration
    public let tokens: TextTokens
    public let model: any LanguageModel
    public let optimizer: Optimizer
    public private(set) var perplexities: [Double] = []
    /// Mean cross-entropy on the held-out tail after each epoch (empty without `validationFraction`).
    public private(set) var validationLosses: [Double] = []
    /// Seconds spent in the training steps of this run's epochs (without validation, logging and checkpoints).
    public private(set) var trainingSeconds = 0.0
    /// The tokens trained on, and the held-out tail.
    public let trainCorpus: [Int], validationCorpus: [Int]
    let generator: Generator
    public var numSteps: Int { configuration.numSteps ?? (configuration.kind == .transformer ? 64 : 35) }
    var outputURL: URL { URL(fileURLWithPath: configuration.outputFolder) }
    public var checkpointURL: URL { outputURL.appendingPathComponent("checkpoint.pt") }

    public init(_ configuration: LanguageModelConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        tokens = try TextTokens(configuration.tokenizer, bookPath: configuration.bookPath, maxTokens: configuration.effectiveMaxTokens)
        let held = Int((Double(tokens.corpus.count) * configuration.validationFraction).rounded())
        trainCorpus = Array(tokens.corpus.dropLast(held))
        validationCorpus = held > 0 ? Array(tokens.corpus.suffix(held)) : []
        generator = Generator(seed: UInt64(truncatingIfNeeded: configuration.seed))
        let (kind, v, h) = (configuration.kind, tokens.vocabSize, configuration.hiddenSize)
        let steps = configuration.numSteps ?? (kind == .transformer ? 64 : 35)
        model = withGenerator(generator) { () -> any LanguageModel in
            kind == .transformer ? TransformerLanguageModel(vocabSize: v, context: steps) : RNNLanguageModel(kind, vocabSize: v, hiddenSize: h)
        }
        if kind == .transformer {
            optimizer = AdamW(model.parameters(), lr: configuration.learningRate ?? 1e-3)
        } else {
            optimizer = SGD(model.parameters(), lr: configuration.learningRate ?? 1)
        }
    }

    /// Trains; `report` receives the lines a person reads.
    public func run(report: (String) -> Void = { print($0) }) throws {
        try withGenerator(generator) { try runWithOwnGenerator(report: report) }
    }

    private func runWithOwnGenerator(report: (String) -> Void) throws {
        let c = configuration
        try FileManager.default.createDirectory(at: outputURL, withIntermediateDirectories: true)
        let batchesPerEpoch = (trainCorpus.count - 1) / (c.batchSize * numSteps)
        guard batchesPerEpoch > 0 else {
            throw TrainingError.invalidOption("the book's \(trainCorpus.count) training tokens do not fill one batch of \(c.batchSize)×\(numSteps)")
        }
        if c.validationFraction > 0, validationCorpus.count - 1 < c.batchSize * numSteps {
            throw TrainingError.invalidOption("the \(validationCorpus.count) held-out tokens do not fill one batch of \(c.batchSize)×\(numSteps); raise --validation-fraction")
        }
        var startEpoch = 0
        if c.resume {
            let (epoch, saved) = try loadLanguageModelCheckpoint()
            if epoch > c.epochs { throw TrainingError.checkpointPastEpochs(file: checkpointURL.path, checkpointEpoch: epoch, epochs: c.epochs) }
            startEpoch = epoch
            perplexities = saved
            report("resumed from \(checkpointURL.path) at epoch \(epoch)")
            if epoch == c.epochs { report("nothing to train: the checkpoint already has \(epoch) epochs"); return }
        }
        let writer = try SummaryWriter(logDir: outputURL.appendingPathComponent("tensorboard").path,
                                       purgeStep: c.resume ? startEpoch * batchesPerEpoch + 1 : nil)
        report("training a \(c.kind.rawValue) language model on The Time Machine (\(trainCorpus.count) \(c.tokenizer == .char ? "characters" : "BPE tokens")\(validationCorpus.isEmpty ? "" : ", \(validationCorpus.count) held out"), vocabulary \(tokens.vocabSize)) for \(c.epochs) epochs")
        if c.exportReplay && !c.resume { try startReplay() }
        var step = startEpoch * batchesPerEpoch
        let params = model.parameters()
        for epoch in startEpoch..<c.epochs {
            generator.manualSeed(ClassifierTraining.epochSeed(c.seed, epoch))
            let batches: [SequenceBatch]
            if c.useRandomIter {
                batches = seqDataIterRandom(trainCorpus, batchSize: c.batchSize, numSteps: numSteps)
            } else {
                let offset = sequentialOffset(numSteps: numSteps)
                if c.exportReplay { try recordReplayOffset(offset) }
                batches = seqDataIterSequential(trainCorpus, batchSize: c.batchSize, numSteps: numSteps, offset: offset)
            }
            let bar = ProgressBar(total: batchesPerEpoch, label: "epoch \(epoch + 1)/\(c.epochs)")
            var state: [Tensor] = []
            var lossSum = 0.0, count = 0.0
            let start = DispatchTime.now()
            for (i, (X, Y)) in batches.enumerated() {
                // Sequential partitioning carries the state across batches, cut from the graph (d2l's detach_).
                state = c.useRandomIter ? [] : state.map { $0.detach() }
                let (yHat, next) = model.logits(X, state: state)
                state = next
                let y = Y.t().reshape(-1)
                let l = F.crossEntropy(yHat, y)
                let lv = l.item()
                guard lv.isFinite else {
                    try? writer.close()
                    throw TrainingError.diverged(epoch: epoch + 1, step: step + 1, loss: lv, lastCheckpoint: perplexities.isEmpty ? nil : checkpointURL.path)
                }
                optimizer.zeroGrad()
                l.backward()
                _ = clipGradNorm_(params, maxNorm: 1)
                optimizer.step()
                step += 1
                lossSum += lv * Double(y.numel); count += Double(y.numel)
                writer.addScalar("train/batch_loss", lv, step: step)
                bar.update(i + 1, metrics: [("perplexity", Foundation.exp(lossSum / count))])
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            trainingSeconds += seconds
            let perplexity = Foundation.exp(lossSum / Swift.max(count, 1))
            perplexities.append(perplexity)
            var metrics = [("perplexity", perplexity)]
            if !validationCorpus.isEmpty {
                validationLosses.append(validationLoss())
                metrics.append(("val loss", validationLosses.last!))
            }
            bar.finish(metrics: metrics + [("tokens/s", count / Swift.max(seconds, 1e-9))])
            try saveLanguageModelCheckpoint(epoch: epoch + 1)
            writer.addScalar("epoch/perplexity", perplexity, step: step)
            if let v = validationLosses.last { writer.addScalar("epoch/validation_loss", v, step: step) }
            var plot = LinePlot(xLabel: "epoch", yLabel: "perplexity")
            for (k, p) in perplexities.enumerated() { plot.add("train perplexity", x: Double(k + 1), y: p) }
            for (k, v) in validationLosses.enumerated() { plot.add("validation perplexity", x: Double(k + 1), y: Foundation.exp(v)) }
            try plot.saveSVG(to: outputURL.appendingPathComponent("curves.svg"))
            try plot.savePNG(to: outputURL.appendingPathComponent("curves.png"))
            try writer.flush()
        }
        try writer.close()
        report(String(format: "trained %d epochs: %.2f s in training steps", c.epochs - startEpoch, trainingSeconds))
        let sample = try LanguageModelGenerator(model: model, tokens: tokens).generate(prefix: "time traveller", count: 50)
        report("time traveller" + sample)
        report("outputs in \(outputURL.path): tensorboard/, curves.svg, curves.png, checkpoint.pt (ember generate --checkpoint)")
    }

    func saveLanguageModelCheckpoint(epoch: Int) throws {
        var extra: [(String, CheckpointValue)] = [("lm_kind", .string(configuration.kind.rawValue)), ("hidden", .int(configuration.hiddenSize)),
                                                  ("num_steps", .int(numSteps)), ("perplexity", .list(perplexities.map { .double($0) })),
                                                  ("validation_loss", .list(validationLosses.map { .double($0) }))]
        extra += tokens.checkpointEntries
        try saveTrainingCheckpoint(model: model, optimizer: optimizer, epoch: epoch, extra: extra, to: checkpointURL)
    }

    func loadLanguageModelCheckpoint() throws -> (Int, [Double]) {
        let epoch = try loadTrainingCheckpoint(from: checkpointURL, model: model, optimizer: optimizer)
        let root = try loadCheckpoint(from: checkpointURL).dict
        let saved = root?["perplexity"]?.elements?.compactMap(\.double) ?? []
        let validation = root?["validation_loss"]?.elements?.compactMap(\.double) ?? []
        validationLosses = validation.count == epoch ? validation : []
        return (epoch, saved.count == epoch ? saved : [])
    }

    /// Mean cross-entropy per token over the held-out tail: eval mode, no gradient, sequential batches from
    /// offset 0 with the state carried (RNNs), so every run scores the same tokens.
    func validationLoss() -> Double {
        model.eval()
        defer { model.train() }
        return noGrad {
            var state: [Tensor] = []
            var sum = 0.0, count = 0.0
            for (X, Y) in seqDataIterSequential(validationCorpus, batchSize: configuration.batchSize, numSteps: numSteps, offset: 0) {
                let (yHat, next) = model.logits(X, state: state)
                state = next
                let y = Y.t().reshape(-1)
                sum += F.crossEntropy(yHat, y).item() * Double(y.numel)
                count += Double(y.numel)
            }
            return sum / Swift.max(count, 1)
        }
    }

    var replayURL: URL { outputURL.appendingPathComponent("replay") }

    /// Writes the initial weights and starts an empty offsets file (`LanguageModelConfiguration.exportReplay`).
    func startReplay() throws {
        try FileManager.default.createDirectory(at: replayURL, withIntermediateDirectories: true)
        try save(model.stateDict(), to: replayURL.appendingPathComponent("initial_model.pt"))
        try writeAtomically(Data(), to: replayURL.appendingPathComponent("offsets.txt"))
    }

    /// Appends one epoch's sequential offset to the replay's offsets file.
    func recordReplayOffset(_ offset: Int) throws {
        let url = replayURL.appendingPathComponent("offsets.txt")
        var data = (try? Data(contentsOf: url)) ?? Data()
        data.append(contentsOf: Array("\(offset)\n".utf8))
        try writeAtomically(data, to: url)
    }
}
