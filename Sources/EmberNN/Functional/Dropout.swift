// dropout with inverted scaling, drawing its mask from the seedable core Generator like PyTorch.
import Foundation
import Ember

extension F {
    /// Dropout, matching `torch.nn.functional.dropout`: in training, zeroes each element with probability
    /// `p` and scales the survivors by `1 / (1 − p)` (inverted dropout), so evaluation needs no rescaling.
    /// With `training == false` (or `p == 0`) the input is returned unchanged. Backward: `NativeDropoutBackward0`
    /// multiplies by the same scaled mask.
    ///
    /// Shape: any → same shape.
    ///
    /// ```swift
    /// let h = F.dropout(F.relu(x), p: 0.5, training: model.training)
    /// ```
    public static func dropout(_ input: Tensor, p: Double = 0.5, training: Bool = true, generator: Generator? = nil) -> Tensor {
        let op = "dropout"
        emberCheck(p >= 0 && p <= 1, op, "dropout probability has to be between 0 and 1, but got \(p)")
        if !training || p == 0 { return input }
        checkFloatInputs(op, ("input", input))
        // PyTorch's CPU path: noise = empty_like(x).bernoulli_(1 - p) / (1 - p); x * noise — same stream under manualSeed.
        let mask = noGrad { () -> Tensor in
            let keep = Tensor(empty: input.shape, dtype: input.dtype).bernoulli_(p: 1 - p, generator: generator)
            return p == 1 ? keep * 0.0 : keep / (1 - p)
        }
        let out = noGrad { input.detach() * mask }
        return record(out, "NativeDropoutBackward0", inputs: [input]) { g in [g * mask] }
    }
}
