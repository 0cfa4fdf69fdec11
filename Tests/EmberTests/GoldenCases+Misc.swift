// ops.json cases of the Misc family, evaluated with Ember (registered by name; the runner compares with PyTorch).
import Ember

enum GoldenMiscCases {
    static let all: [String: GoldenEvaluator] = [
        // torch.arange(12).reshape(3, 4)
        "arange_reshape": { _ in [Tensor.arange(12).reshape(3, 4)] },
        // torch.arange(0.0, 4.1, 0.1)
        "arange_float_step": { _ in [Tensor.arange(0.0, 4.1, 0.1)] },
        // torch.linspace(0, 10, 200)
        "linspace": { _ in [Tensor.linspace(0, 10, 200)] },
        // torch.eye(3, 4)
        "eye": { _ in [Tensor.eye(3, 4)] },
    ]
}
