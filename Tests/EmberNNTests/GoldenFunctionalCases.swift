// ops.json cases of the NN functional family (conv, pooling, norms, losses, ...), evaluated with Ember.
import Ember
import EmberNN

/// Evaluates one `ops.json` case from its named inputs; returns outputs in the case's order.
typealias GoldenEvaluator = ([String: Tensor]) -> [Tensor]

enum GoldenFunctionalCases {
    static let all: [String: GoldenEvaluator] = [:]
}
