// ops.json cases of the Indexing family, evaluated with Ember (registered by name; the runner compares with PyTorch).
import Ember

enum GoldenIndexingCases {
    static let all: [String: GoldenEvaluator] = [:]
}
