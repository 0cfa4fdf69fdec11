// ember-examples: runs one of the notes' examples by name (`swift run ember-examples TensorBasics`).
import Foundation

/// The examples, in the notes' order: name, one-line summary, and how to run it.
let examples: [(name: String, summary: String, run: () throws -> Void)] = [
    ("TensorBasics", "chapter 2: creation, views, broadcasting, in-place ops, indexing, .npy, a first gradient",
     { _ = try runTensorBasics() }),
    ("NumpySharing", "sections 2.1/2.2: a tensor's memory seen and changed from Swift, a tensor over an array, toArray copies",
     { _ = try runNumpySharing() }),
    ("LinearRegressionScratch", "section 3.4: linear regression with hand-written minibatch SGD",
     { _ = try runLinearRegressionScratch() }),
    ("SoftmaxRegressionConcise", "section 4.5: Flatten + Linear on Fashion-MNIST ($EMBER_DATA_DIR) or synthetic images",
     { _ = try runSoftmaxRegressionConcise() }),
    ("PolynomialRegression", "underfitting and overfitting: fitting a cubic with 4, 2 and 20 polynomial features",
     { _ = try runPolynomialRegression() }),
    ("WeightDecayScratch", "section 3.7: an L2 penalty by hand on 200-input regression with 20 examples, lambda 0 vs 3",
     { _ = try runWeightDecayScratch() }),
    ("MLPWithDropoutAndWeightDecay", "sections 3.7 and 5.6: an MLP with dropout, weight decay on weights only",
     { _ = try runMLPWithDropoutAndWeightDecay() }),
    ("SaveLoad", "section 5.5: save/load a tensor, a list, a dict and an MLP's parameters (mlp.params)",
     { _ = try runSaveLoad() }),
    ("CNNWithTensorBoard", "section 7.6: LeNet logged to TensorBoard (runs/examples/lenet), checkpoint round trip",
     { _ = try runCNNWithTensorBoard() }),
    ("CIFAR10NetWithTensorBoard", "the CIFAR-10 model (a Module with model = Sequential) and its graph in TensorBoard",
     { _ = try runCIFAR10NetWithTensorBoard() }),
]

func usage() -> String {
    "usage: ember-examples <name> | all\n" + examples.map { "  \($0.name.padding(toLength: 30, withPad: " ", startingAt: 0))\($0.summary)" }.joined(separator: "\n")
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let requested = arguments.first else {
    print(usage())
    exit(0)
}
// Names match case-insensitively, with or without dashes (`tensor-basics` works too).
func normalized(_ s: String) -> String { s.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "") }
let chosen = normalized(requested) == "all" ? examples : examples.filter { normalized($0.name) == normalized(requested) }
if chosen.isEmpty {
    FileHandle.standardError.write(Data("ember-examples: no example named '\(requested)'\n\(usage())\n".utf8))
    exit(2)
}
do {
    for example in chosen {
        print("== \(example.name) ==")
        try example.run()
    }
} catch {
    FileHandle.standardError.write(Data("ember-examples: \(error)\n".utf8))
    exit(1)
}
