// The golden-case registry shape shared by the ops.json parity suite and the per-family case tables.
import Ember

/// Evaluates one `ops.json` case: receives the case's inputs by name (floating inputs already have
/// `requiresGrad` set when the case has gradients) and returns the outputs in the order the case lists them.
typealias GoldenEvaluator = ([String: Tensor]) -> [Tensor]
