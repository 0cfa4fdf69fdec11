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

/// How the book is cut into tokens: d2l's characters (28 symbols) or a byte-level BPE trained on the book.
public enum TokenizerChoice: String, CaseIterable { case char, bpe }

/// The tokens of the book and the way back from ids to text.
public struct TextTokens {
    public let corpus: [Int]
    public let vocabSize: Int
    public let tokenizer: TokenizerChoice
    /// Characters by id (`char`), or the BPE tokenizer.
    let characters: [String]
    let bpe: ByteLevelBPETokenizer?

    /// d2l's character corpus (letters and spaces, lower case), or a byte-level BPE of `bpeVocabSize` tokens
    /// trained on the raw book.
    ///
    /// - Parameters:
    ///   - choice: Characters or byte-level BPE.
    ///   - bookPath: The book's text file (nil: the copy in `Data/timemachine/`).
    ///   - bpeVocabSize: The BPE vocabulary size.
    public init(_ choice: TokenizerChoice, bookPath: String?, bpeVocabSize: Int = 1000) throws {
        tokenizer = choice
        switch choice {
        case .char:
            let (corpus, vocab) = try loadCorpusTimeMachine(path: bookPath)
            self.corpus = corpus
            characters = vocab.idxToToken
            vocabSize = vocab.count
            bpe = nil
        case .bpe:
            let text = try String(contentsOfFile: try timeMachinePath(bookPath), encoding: .utf8)
            let t = BPETrainer(vocabSize: bpeVocabSize, minFrequency: 2).train(sequences: [text])
            corpus = t.encode(text)
            characters = []
            vocabSize = t.vocabSize
            bpe = t
        }
    }

    /// Rebuilds the tokens' vocabulary from what a checkpoint stored.
    init(checkpoint root: CheckpointDict, file: String) throws {
        func fail(_ f: String, _ p: String) -> TrainingError { .invalidCheckpoint(file: file, field: f, problem: p) }
        guard case .string(let kind)? = root["tokenizer"], let choice = TokenizerChoice(rawValue: kind) else {
            throw fail("tokenizer", "is missing or not char/bpe")
        }
        tokenizer = choice
        corpus = []
        switch choice {
        case .char:
            guard let items = root["vocab"]?.elements, !items.isEmpty else { throw fail("vocab", "is missing") }
            characters = try items.map { v -> String in
                guard case .string(let s) = v else { throw fail("vocab", "holds a \(v.kindName)") }
                return s
            }
            vocabSize = characters.count
            bpe = nil
        case .bpe:
            guard let tokens = root["bpe_tokens"]?.elements, let merges = root["bpe_merges"]?.elements else {
                throw fail("bpe_tokens", "is missing")
            }
            var vocab: [String: Int] = [:]
            for (i, v) in tokens.enumerated() { if case .string(let s) = v { vocab[s] = i } }
            let pairs = merges.compactMap { v -> (String, String)? in
                guard case .string(let s) = v, let space = s.firstIndex(of: " ") else { return nil }
                return (String(s[..<space]), String(s[s.index(after: space)...]))
            }
            guard vocab.count == tokens.count, pairs.count == merges.count else { throw fail("bpe_tokens", "is damaged") }
            bpe = ByteLevelBPETokenizer(vocab: vocab, merges: pairs)
            characters = []
            vocabSize = vocab.count
        }
    }

    /// What a checkpoint stores to rebuild the tokenizer.
    var checkpointEntries: [(String, CheckpointValue)] {
        switch tokenizer {
        case .char: return [("tokenizer", "char"), ("vocab", .list(characters.map { .string($0) }))]
        case .bpe:
            let t = bpe!
            return [("tokenizer", "bpe"), ("bpe_tokens", .list(t.idToToken.map { .string($0 ?? "") })),
                    ("bpe_merges", .list(t.merges.map { .string($0.0 + " " + $0.1) }))]
        }
    }

    public func encode(_ text: String) -> [Int] {
        switch tokenizer {
        case .char:
            let index = Dictionary(characters.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            return text.lowercased().map { index[String($0)] ?? 0 }
        case .bpe: return bpe!.encode(text)
        }
    }

    public func decode(_ ids: [Int]) -> String {
        switch tokenizer {
        case .char: return ids.map { characters.indices.contains($0) ? characters[$0] : "" }.joined()
        case .bpe: return bpe!.decode(ids)
        }
    }
}

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
    /// The book's file or folder (nil: `$EMBER_DATA_DIR/timemachine`, else the copy in `Data/`).
    public var bookPath: String?
    public var outputFolder: String
    public var resume = false

    public init(outputFolder: String) { self.outputFolder = outputFolder }

    public func validate() throws {
        func bad(_ m: String) -> TrainingError { .invalidOption(m) }
        guard (1...1_000_000).contains(epochs) else { throw bad("--epochs must be at least 1 (and at most 1000000), got \(epochs)") }
        guard (1...4096).contains(batchSize) else { throw bad("--batch-size must be from 1 to 4096, got \(batchSize)") }
        if let n = numSteps { guard (1...4096).contains(n) else { throw bad("--num-steps must be from 1 to 4096, got \(n)") } }
        if let lr = learningRate { guard lr.isFinite, lr > 0 else { throw bad("--lr must be a positive finite number, got \(lr)") } }
        guard (1...8192).contains(hiddenSize) else { throw bad("--hidden must be from 1 to 8192, got \(hiddenSize)") }
        guard !outputFolder.isEmpty else { throw bad("--out must name a folder, got an empty string") }
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
    let generator: Generator
    public var numSteps: Int { configuration.numSteps ?? (configuration.kind == .transformer ? 64 : 35) }
    var outputURL: URL { URL(fileURLWithPath: configuration.outputFolder) }
    public var checkpointURL: URL { outputURL.appendingPathComponent("checkpoint.pt") }

    public init(_ configuration: LanguageModelConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        tokens = try TextTokens(configuration.tokenizer, bookPath: configuration.bookPath)
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
        let loader = SeqDataLoader(corpus: tokens.corpus, batchSize: c.batchSize, numSteps: numSteps, useRandomIter: c.useRandomIter)
        let batchesPerEpoch = (tokens.corpus.count - 1) / (c.batchSize * numSteps)
        guard batchesPerEpoch > 0 else {
            throw TrainingError.invalidOption("the book's \(tokens.corpus.count) tokens do not fill one batch of \(c.batchSize)×\(numSteps)")
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
        report("training a \(c.kind.rawValue) language model on The Time Machine (\(tokens.corpus.count) \(c.tokenizer == .char ? "characters" : "BPE tokens"), vocabulary \(tokens.vocabSize)) for \(c.epochs) epochs")
        var step = startEpoch * batchesPerEpoch
        let params = model.parameters()
        for epoch in startEpoch..<c.epochs {
            generator.manualSeed(ClassifierTraining.epochSeed(c.seed, epoch))
            let bar = ProgressBar(total: batchesPerEpoch, label: "epoch \(epoch + 1)/\(c.epochs)")
            var state: [Tensor] = []
            var lossSum = 0.0, count = 0.0
            let start = DispatchTime.now()
            for (i, (X, Y)) in loader.enumerated() {
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
            let perplexity = Foundation.exp(lossSum / Swift.max(count, 1))
            perplexities.append(perplexity)
            bar.finish(metrics: [("perplexity", perplexity), ("tokens/s", count / Swift.max(seconds, 1e-9))])
            try saveLanguageModelCheckpoint(epoch: epoch + 1)
            writer.addScalar("epoch/perplexity", perplexity, step: step)
            var plot = LinePlot(xLabel: "epoch", yLabel: "perplexity")
            for (k, p) in perplexities.enumerated() { plot.add("train perplexity", x: Double(k + 1), y: p) }
            try plot.saveSVG(to: outputURL.appendingPathComponent("curves.svg"))
            try plot.savePNG(to: outputURL.appendingPathComponent("curves.png"))
            try writer.flush()
        }
        try writer.close()
        let sample = try LanguageModelGenerator(model: model, tokens: tokens).generate(prefix: "time traveller", count: 50)
        report("time traveller" + sample)
        report("outputs in \(outputURL.path): tensorboard/, curves.svg, curves.png, checkpoint.pt (ember generate --checkpoint)")
    }

    func saveLanguageModelCheckpoint(epoch: Int) throws {
        var extra: [(String, CheckpointValue)] = [("lm_kind", .string(configuration.kind.rawValue)), ("hidden", .int(configuration.hiddenSize)),
                                                  ("num_steps", .int(numSteps)), ("perplexity", .list(perplexities.map { .double($0) }))]
        extra += tokens.checkpointEntries
        try saveTrainingCheckpoint(model: model, optimizer: optimizer, epoch: epoch, extra: extra, to: checkpointURL)
    }

    func loadLanguageModelCheckpoint() throws -> (Int, [Double]) {
        let epoch = try loadTrainingCheckpoint(from: checkpointURL, model: model, optimizer: optimizer)
        let root = try loadCheckpoint(from: checkpointURL).dict
        let saved = root?["perplexity"]?.elements?.compactMap(\.double) ?? []
        return (epoch, saved.count == epoch ? saved : [])
    }
}

/// Text from a trained language model: the prefix warms the state up, then tokens are predicted one at a time
/// (d2l's `predict_ch8`: greedy argmax; with `temperature` > 0, sampled from softmax(logits / temperature),
/// optionally among the `topK` most likely, from the current generator — deterministic for a seed).
public struct LanguageModelGenerator {
    public let model: any LanguageModel
    public let tokens: TextTokens

    public init(model: any LanguageModel, tokens: TextTokens) {
        self.model = model
        self.tokens = tokens
    }

    /// Reads a checkpoint written by `ember train --dataset timemachine`.
    public init(checkpoint url: URL) throws {
        let file = url.path
        let value = try loadCheckpoint(from: url)
        guard let root = value.dict, case .string(let k)? = root["lm_kind"], let kind = LanguageModelKind(rawValue: k) else {
            throw TrainingError.invalidCheckpoint(file: file, field: "lm_kind", problem: "is missing: not a language-model checkpoint of ember train")
        }
        let tokens = try TextTokens(checkpoint: root, file: file)
        let hidden = root["hidden"]?.int ?? 256, steps = root["num_steps"]?.int ?? 64
        guard (1...8192).contains(hidden), (1...4096).contains(steps) else {
            throw TrainingError.invalidCheckpoint(file: file, field: "hidden", problem: "is out of range")
        }
        let model: any LanguageModel = kind == .transformer ? TransformerLanguageModel(vocabSize: tokens.vocabSize, context: steps)
                                                            : RNNLanguageModel(kind, vocabSize: tokens.vocabSize, hiddenSize: hidden)
        _ = try loadTrainingCheckpoint(from: url, model: model, optimizer: nil)
        self.init(model: model, tokens: tokens)
    }

    /// `count` tokens following `prefix`, as text.
    ///
    /// - Parameters:
    ///   - prefix: The text to continue.
    ///   - count: The number of tokens to generate.
    ///   - temperature: 0 picks the most likely token; above 0 samples from the softmax of logits / temperature.
    ///   - topK: Sample only among the `topK` most likely tokens (nil: all).
    public func generate(prefix: String, count: Int, temperature: Double = 0, topK: Int? = nil) throws -> String {
        var ids = tokens.encode(prefix)
        if ids.isEmpty { ids = [0] }
        let context = (model as? TransformerLanguageModel)?.context
        model.eval()
        defer { model.train() }
        var out: [Int] = []
        noGrad {
            var state: [Tensor] = []
            // Warm-up: the prefix through the model (RNNs keep the state; a Transformer sees its last `context` tokens).
            let warm = context.map { Array(ids.suffix($0)) } ?? ids
            var (logits, next) = model.logits(Tensor(warm.map { Int64($0) }, shape: [1, warm.count]), state: state)
            state = next
            for _ in 0..<count {
                let last = logits[logits.shape[0] - 1]
                let id = pick(last, temperature: temperature, topK: topK)
                out.append(id)
                ids.append(id)
                if let c = context {
                    let window = Array(ids.suffix(c))
                    (logits, _) = model.logits(Tensor(window.map { Int64($0) }, shape: [1, window.count]), state: [])
                } else {
                    (logits, next) = model.logits(Tensor([Int64(id)], shape: [1, 1]), state: state)
                    state = next
                }
            }
        }
        return tokens.decode(out)
    }

    func pick(_ logits: Tensor, temperature: Double, topK: Int?) -> Int {
        let values = logits.toArray(as: Double.self)
        guard temperature > 0, !values.isEmpty else { return Int(logits.argmax().item(as: Int64.self)) }
        var scaled = values.map { $0 / temperature }
        if let k = topK, k > 0, k < scaled.count {
            let kth = scaled.sorted(by: >)[k - 1]
            scaled = scaled.map { $0 < kth ? -Double.infinity : $0 }
        }
        let top = scaled.max()!
        let weights = scaled.map { Foundation.exp($0 - top) }
        // One uniform draw from the current generator (the run's, or the one `ember generate --seed` binds).
        var u = Tensor.rand(1, dtype: .float64).item() * weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return i }
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }
}
