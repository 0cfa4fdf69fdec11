// softmax and log_softmax along a dim: the functional spellings of core's `Tensor.softmax`/`logSoftmax`.
import Ember

extension F {
    /// Softmax along `dim`, matching `torch.nn.functional.softmax` (computed stably: the max is subtracted).
    ///
    /// Shape: any; the output has the input's shape and sums to 1 along `dim`.
    ///
    /// ```swift
    /// let p = F.softmax(logits, dim: 1)
    /// ```
    public static func softmax(_ input: Tensor, dim: Int) -> Tensor { input.softmax(dim: dim) }

    /// Log-softmax along `dim`, matching `torch.nn.functional.log_softmax` (stable log-sum-exp).
    public static func logSoftmax(_ input: Tensor, dim: Int) -> Tensor { input.logSoftmax(dim: dim) }
}
