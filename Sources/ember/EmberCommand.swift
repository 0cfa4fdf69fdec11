// The `ember` command line: train, eval, predict, demo, bench, inspect, convert.
import ArgumentParser
import EmberKit

@main
struct EmberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ember",
        abstract: "Ember: deep learning in Swift with PyTorch's semantics.",
        version: emberVersion,
        subcommands: [Train.self, Eval.self, Predict.self, Generate.self, Demo.self, Bench.self, Inspect.self, Convert.self])
}

/// The version printed by `ember --version`.
let emberVersion = "0.1.0"
