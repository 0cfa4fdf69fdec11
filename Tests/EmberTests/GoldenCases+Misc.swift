// ops.json cases of the Misc family, evaluated with Ember (registered by name; the runner compares with PyTorch).
import Ember

enum GoldenMiscCases {
    static let all: [String: GoldenEvaluator] = [:]
}
