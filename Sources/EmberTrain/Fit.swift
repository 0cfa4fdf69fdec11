// Training and evaluation loops for classifiers (the notes' train_ch3 / train_ch6), with logging hooks.
import Foundation
import Ember
import EmberNN
import EmberOptim
import EmberData

/// Metrics of one epoch.
public struct EpochMetrics {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testAccuracy: Double?
    public var samplesPerSecond: Double
    public var seconds: Double
}

/// Fraction of correct predictions of `model` over `batches`, in eval mode and without autograd
/// (`d2l.evaluate_accuracy_gpu`); restores the previous training mode.
public func evaluateAccuracy<S: Sequence>(_ model: Module, _ batches: S) -> Double where S.Element == (Tensor, Tensor) {
    var iterator = batches.makeIterator()
    return accuracyOver(model, next: { iterator.next() })
}

/// `evaluateAccuracy` over a `DataLoader`: a sample that fails to load throws `DataError.sampleFailed` (naming
/// its index and the reason) instead of stopping the program.
public func evaluateAccuracy<D: Dataset>(_ model: Module, _ loader: DataLoader<D, (Tensor, Tensor)>) throws -> Double {
    var iterator = loader.makeIterator()
    return try accuracyOver(model, next: { try iterator.nextBatch() })
}

/// Mean cross-entropy loss and accuracy of `model` over `batches`, in eval mode and without autograd
/// (the CIFAR-10 course's test loop: `test_loss` and `test_accuracy`); restores the previous training mode.
public func evaluate<S: Sequence>(_ model: Module, _ batches: S) -> (loss: Double, accuracy: Double) where S.Element == (Tensor, Tensor) {
    var iterator = batches.makeIterator()
    return lossAndAccuracyOver(model, next: { iterator.next() })
}

/// `evaluate` over a `DataLoader`: a sample that fails to load throws `DataError.sampleFailed` (naming its index
/// and the reason, e.g. the unreadable test image) instead of stopping the program.
public func evaluate<D: Dataset>(_ model: Module, _ loader: DataLoader<D, (Tensor, Tensor)>) throws -> (loss: Double, accuracy: Double) {
    var iterator = loader.makeIterator()
    return try lossAndAccuracyOver(model, next: { try iterator.nextBatch() })
}

/// The confusion matrix of `model` over `batches`: `counts[true class][predicted class]`.
///
/// - Parameters:
///   - model: The classifier (run in eval mode).
///   - batches: The (inputs, labels) batches to evaluate.
///   - classes: The number of classes.
public func confusionMatrix<S: Sequence>(_ model: Module, _ batches: S, classes: Int) -> [[Int]] where S.Element == (Tensor, Tensor) {
    var iterator = batches.makeIterator()
    return confusionOver(model, next: { iterator.next() }, classes: classes)
}

/// `confusionMatrix` over a `DataLoader`: a sample that fails to load throws `DataError.sampleFailed` instead of
/// stopping the program.
///
/// - Parameters:
///   - model: The classifier (run in eval mode).
///   - loader: The (inputs, labels) batches to evaluate.
///   - classes: The number of classes.
public func confusionMatrix<D: Dataset>(_ model: Module, _ loader: DataLoader<D, (Tensor, Tensor)>, classes: Int) throws -> [[Int]] {
    var iterator = loader.makeIterator()
    return try confusionOver(model, next: { try iterator.nextBatch() }, classes: classes)
}

/// Runs `body` on each batch `next` gives, with `model` in eval mode and autograd off; restores the training mode.
private func inEvalMode(_ model: Module, next: () throws -> (Tensor, Tensor)?,
                        _ body: (_ x: Tensor, _ y: Tensor) -> Void) rethrows {
    let wasTraining = model.training
    model.eval()
    defer { model.train(wasTraining) }
    try noGrad {
        while let (x, y) = try next() { body(x, y) }
    }
}

private func accuracyOver(_ model: Module, next: () throws -> (Tensor, Tensor)?) rethrows -> Double {
    let metric = Accumulator(2)
    try inEvalMode(model, next: next) { x, y in metric.add(accuracy(model(x), y), Double(y.numel)) }
    return metric[1] > 0 ? metric[0] / metric[1] : 0
}

private func lossAndAccuracyOver(_ model: Module, next: () throws -> (Tensor, Tensor)?) rethrows -> (loss: Double, accuracy: Double) {
    let metric = Accumulator(3)
    try inEvalMode(model, next: next) { x, y in
        let yHat = model(x)
        let n = Double(y.numel)
        metric.add(F.crossEntropy(yHat, y).item() * n, accuracy(yHat, y), n)
    }
    return metric[2] > 0 ? (metric[0] / metric[2], metric[1] / metric[2]) : (0, 0)
}

private func confusionOver(_ model: Module, next: () throws -> (Tensor, Tensor)?, classes: Int) rethrows -> [[Int]] {
    var counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
    try inEvalMode(model, next: next) { x, y in
        let predicted = model(x).argmax(dim: 1).toArray(as: Int64.self), truth = y.toArray(as: Int64.self)
        for (t, p) in zip(truth, predicted) where t >= 0 && Int(t) < classes && p >= 0 && Int(p) < classes {
            counts[Int(t)][Int(p)] += 1
        }
    }
    return counts
}

/// The loss of a batch was NaN or infinite: training diverged (usually a learning rate that is too large).
public struct NonFiniteLossError: Error, CustomStringConvertible {
    /// Index of the batch in the epoch (0-based); no step was taken for it.
    public let batch: Int
    public let loss: Double
    public var description: String { "loss became \(loss.isNaN ? "NaN" : String(loss)) at batch \(batch); try a smaller learning rate" }
}

/// Trains a classifier for one epoch (`d2l.train_epoch_ch3`): zero grads, forward, loss, backward, step.
///
/// A batch whose loss is NaN or infinite stops the epoch with `NonFiniteLossError` before its backward pass,
/// so the model keeps the weights of the last finite step (PyTorch would go on and fill them with NaN).
///
/// - Parameters:
///   - model: the classifier to train (put in training mode).
///   - batches: the (inputs, labels) batches of one epoch, e.g. a `DataLoader`.
///   - optimizer: the optimizer stepped after each batch.
///   - lossFunction: mean loss over the batch, e.g. `{ F.crossEntropy($0, $1) }`.
///   - onBatch: called after each step with (batch index, batch loss, batch accuracy), e.g. to log or draw progress.
/// - Returns: the epoch's mean loss, accuracy and throughput.
public func trainEpoch<S: Sequence>(_ model: Module, _ batches: S, optimizer: Optimizer,
                                    lossFunction: (Tensor, Tensor) -> Tensor,
                                    onBatch: (Int, Double, Double) -> Void = { _, _, _ in }) throws -> (loss: Double, accuracy: Double, samplesPerSecond: Double)
where S.Element == (Tensor, Tensor) {
    var iterator = batches.makeIterator()
    return try trainEpoch(model, next: { iterator.next() }, optimizer: optimizer, lossFunction: lossFunction, onBatch: onBatch)
}

/// `trainEpoch` over a `DataLoader`: a sample that fails to load throws `DataError.sampleFailed` (naming its
/// index and the reason, e.g. the unreadable file) out of the epoch instead of stopping the program, as
/// iterating the loader with `for … in` would.
///
/// - Parameters:
///   - model: the classifier to train (put in training mode).
///   - loader: the epoch's batches; its samples are loaded with `nextBatch()`, which throws.
///   - optimizer: the optimizer stepped after each batch.
///   - lossFunction: mean loss over the batch, e.g. `{ F.crossEntropy($0, $1) }`.
///   - onBatch: called after each step with (batch index, batch loss, batch accuracy).
/// - Returns: the epoch's mean loss, accuracy and throughput.
/// - Throws: `DataError.sampleFailed` for a sample that does not load, `NonFiniteLossError` for a NaN/inf loss.
public func trainEpoch<D: Dataset>(_ model: Module, _ loader: DataLoader<D, (Tensor, Tensor)>, optimizer: Optimizer,
                                   lossFunction: (Tensor, Tensor) -> Tensor,
                                   onBatch: (Int, Double, Double) -> Void = { _, _, _ in }) throws -> (loss: Double, accuracy: Double, samplesPerSecond: Double) {
    var iterator = loader.makeIterator()
    return try trainEpoch(model, next: { try iterator.nextBatch() }, optimizer: optimizer, lossFunction: lossFunction, onBatch: onBatch)
}

private func trainEpoch(_ model: Module, next: () throws -> (Tensor, Tensor)?, optimizer: Optimizer,
                        lossFunction: (Tensor, Tensor) -> Tensor,
                        onBatch: (Int, Double, Double) -> Void) throws -> (loss: Double, accuracy: Double, samplesPerSecond: Double) {
    model.train()
    let metric = Accumulator(3)
    var timer = Timer()
    var i = 0
    while let (x, y) = try next() {
        timer.start()
        optimizer.zeroGrad()
        let yHat = model(x)
        let l = lossFunction(yHat, y)
        let lv = l.item()
        guard lv.isFinite else {
            timer.stop()
            throw NonFiniteLossError(batch: i, loss: lv)
        }
        l.backward()
        optimizer.step()
        timer.stop()
        let n = Double(y.numel)
        let correct = noGrad { accuracy(yHat, y) }
        metric.add(lv * n, correct, n)
        onBatch(i, lv, correct / n)
        i += 1
    }
    let seen = Swift.max(metric[2], 1)
    return (metric[0] / seen, metric[1] / seen, metric[2] / Swift.max(timer.sum, 1e-9))
}
