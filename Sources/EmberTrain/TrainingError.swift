// TrainingError: what stops a training run that the user can fix — bad options, unsuitable data, a
// checkpoint that does not fit, a diverging loss — each as one sentence naming what was wrong.

/// An error of a training run, with a message meant for the person who started it.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// An option value that cannot work (`--epochs -1`, `--lr nan`); the CLI reports it as a usage error.
    case invalidOption(String)
    /// The output folder cannot be created or written.
    case outputFolder(path: String, reason: String)
    /// The dataset's images do not have the size the model takes.
    case unsuitableImages(file: String, found: [Int], model: String, expected: [Int])
    /// A checkpoint field is missing, of the wrong type, out of range or does not fit the model or optimizer.
    case invalidCheckpoint(file: String, field: String, problem: String)
    /// `--weights` names a file that is not a state dict of the model.
    case invalidWeights(file: String, problem: String)
    /// `--resume` found a checkpoint that is already past the requested number of epochs.
    case checkpointPastEpochs(file: String, checkpointEpoch: Int, epochs: Int)
    /// The loss became NaN or infinite; nothing after the last good checkpoint was saved.
    case diverged(epoch: Int, step: Int, loss: Double, lastCheckpoint: String?)
    /// A distributed run (`--distributed`) could not start or another rank failed.
    case distributed(String)

    public var description: String {
        switch self {
        case .invalidOption(let m), .distributed(let m):
            return m
        case let .outputFolder(path, reason):
            return "cannot write the output folder '\(path)': \(reason)"
        case let .unsuitableImages(file, found, model, expected):
            return "\(file) holds \(found.map(String.init).joined(separator: "×")) images, but \(model) takes "
                + "\(expected.map(String.init).joined(separator: "×")) (channels×height×width); use a dataset of that size or another --model"
        case let .invalidCheckpoint(file, field, problem):
            return "\(file): checkpoint field '\(field)' \(problem)"
        case let .invalidWeights(file, problem):
            return "--weights \(file) \(problem)"
        case let .checkpointPastEpochs(file, e, epochs):
            return "\(file) was saved after epoch \(e), beyond --epochs \(epochs); pass --epochs \(e + 1) or more to train further"
        case let .diverged(epoch, step, loss, last):
            let value = loss.isNaN ? "NaN" : "\(loss)"
            return "loss became \(value) at epoch \(epoch), step \(step); try a smaller --lr"
                + (last.map { " (the last good checkpoint, \($0), is kept)" } ?? "")
        }
    }
}
