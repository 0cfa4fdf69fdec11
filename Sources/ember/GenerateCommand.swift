// `ember generate`: continue a text with a language model trained by `ember train --dataset timemachine`.
import ArgumentParser
import Foundation
import EmberKit

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a prefix with a language model trained by ember train --dataset timemachine.",
        discussion: "Greedy (d2l's predict_ch8) by default; with --temperature above 0 the next token is sampled, among the --top-k most likely when given. The same --seed gives the same text.")

    @Option(help: "The checkpoint (checkpoint.pt of the language-model run).") var checkpoint: String
    @Option(help: "The text to continue.") var prefix = "time traveller"
    @Option(help: "How many tokens to generate.") var tokens = 100
    @Option(help: "Sampling temperature (0: greedy).") var temperature = 0.0
    @Option(help: "Sample only among the K most likely tokens.") var topK: Int?
    @Option(help: "Random seed for sampling.") var seed = 0

    func validate() throws {
        guard (1...100_000).contains(tokens) else { throw ValidationError("--tokens must be from 1 to 100000, got \(tokens)") }
        guard temperature.isFinite, temperature >= 0 else { throw ValidationError("--temperature must be 0 or more, got \(temperature)") }
        if let k = topK { guard k >= 1 else { throw ValidationError("--top-k must be at least 1, got \(k)") } }
    }

    func run() throws {
        let generator = try LanguageModelGenerator(checkpoint: URL(fileURLWithPath: checkpoint))
        let text = try withGenerator(Generator(seed: UInt64(truncatingIfNeeded: seed))) {
            try generator.generate(prefix: prefix, count: tokens, temperature: temperature, topK: topK)
        }
        print(prefix + text)
    }
}
