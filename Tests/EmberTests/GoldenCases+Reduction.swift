// ops.json cases of the Reduction family, evaluated with Ember (registered by name; the runner compares with PyTorch).
import Ember

enum GoldenReductionCases {
    static let all: [String: GoldenEvaluator] = [:]
}
