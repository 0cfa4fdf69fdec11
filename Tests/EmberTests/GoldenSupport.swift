// The golden-case registry shape shared by the ops.json parity suite and the per-family case tables.
import Ember
import _EmberTestSupport

/// Evaluates one `ops.json` case: receives the case's inputs by name (floating inputs already have
/// `requiresGrad` set when the case has gradients) and returns the outputs in the order the case lists them.
/// Reading an input the case lacks throws, so a golden file without it fails the test with a message.
///
/// An evaluator implements its case's `torch` expression, which the format fixes per case name: constants
/// written in that expression (one_hot's 5 classes, scatter_add's `zeros(3, 5)`, the autograd cases' literal
/// inputs) are part of the case's definition, not expected values. Every expected number (outputs, upstream
/// gradients, input gradients) is read from the golden file.
typealias GoldenEvaluator = (GoldenInputs) throws -> [Tensor]
