// The shape of an op-registry entry (PyTorch's OpInfo): samples, golden cases, gradcheck levels, error inputs.
import Ember

/// One call of an op: the inputs gradcheck perturbs, the call itself, and an optional independent reference.
///
/// `inputs` are float64 (and integer index) tensors; constants that are not differentiated (targets,
/// masks, index tensors the call does not take as input) are captured by `call`. The registry walk also
/// runs every sample on non-contiguous copies of its floating inputs and compares values and gradients.
public struct OpSample {
    /// Says what the sample exercises: "broadcast", "zero-size", "non-contiguous view", ...
    public let label: String
    /// The inputs, in the order `call` reads them.
    public let inputs: [Tensor]
    /// Applies the op.
    public let call: ([Tensor]) -> Tensor
    /// An independent computation of the same values (scalar loops, Foundation math, a hand derivation),
    /// or nil when the golden cases are the forward reference.
    public let reference: (([Tensor]) -> Tensor)?

    /// A value field by field (see the properties).
    public init(_ label: String, _ inputs: [Tensor], reference: (([Tensor]) -> Tensor)? = nil,
                _ call: @escaping ([Tensor]) -> Tensor) {
        self.label = label
        self.inputs = inputs
        self.call = call
        self.reference = reference
    }
}

/// A call that must stop the process with `message` on standard error (a programming error, as in PyTorch).
public struct OpErrorInput {
    /// Says what is wrong with the call.
    public let label: String
    /// A substring the message printed before the process stops must contain.
    public let message: String
    /// Makes the bad call (run in a child process by the registry walk).
    public let trigger: () -> Void

    /// A value field by field (see the properties).
    public init(_ label: String, _ message: String, _ trigger: @escaping () -> Void) {
        self.label = label
        self.message = message
        self.trigger = trigger
    }
}

/// Where an order of derivative is checked by finite differences.
public enum GradcheckLevel: Equatable {
    /// The registry walk gradchecks every sample.
    case registry
    /// A dedicated test file checks it (more cases than the registry's samples): the file's path under `Tests/`
    /// and the call it gradchecks (the walk checks that the file has both).
    case elsewhere(String, calling: String)
    /// Not checked, and why (e.g. the op is differentiable once only, or its gradient is zero).
    case no(String)
}

/// One differentiable op: how to call it, the autograd nodes it records, and how it is checked.
///
/// Matches an entry of PyTorch's `op_db` (`torch/testing/_internal/common_methods_invocations.py`); unlike
/// PyTorch, references are plain scalar loops rather than NumPy, and error inputs stop the process.
///
/// ```swift
/// OpInfo("exp", nodes: ["ExpBackward0"], golden: ["unary_math"], secondOrder: .registry,
///        samples: [OpSample("[3, 4]", [sample([3, 4])], reference: { elementwise($0[0], Foundation.exp) }) { $0[0].exp() }])
/// ```
public struct OpInfo {
    /// The op's PyTorch-style name (`add`, `F.conv2d`).
    public let name: String
    /// The autograd node names (`AddBackward0`) the samples' graphs must contain; nodes recorded only by a
    /// second differentiation (`...BackwardBackward0`) are found in the graphs of the first derivatives.
    public let nodes: [String]
    /// The `ops.json` case names (`Tests/Fixtures/golden`) that check this op against PyTorch.
    public let golden: [String]
    /// First-order finite-difference check.
    public let firstOrder: GradcheckLevel
    /// Second-order check (finite differences of first derivatives recorded with `createGraph`).
    public let secondOrder: GradcheckLevel
    /// The finite-difference step (larger for ops whose output is rounded, e.g. to float32).
    public let eps: Double
    /// The calls the registry walk makes (values, non-contiguous copies, gradchecks, node names).
    public let samples: [OpSample]
    /// Calls that must stop the process with a message (each run in a child process).
    public let errors: [OpErrorInput]

    /// A value field by field (see the properties).
    public init(_ name: String, nodes: [String], golden: [String] = [], firstOrder: GradcheckLevel = .registry,
                secondOrder: GradcheckLevel, eps: Double = 1e-6, samples: [OpSample], errors: [OpErrorInput] = []) {
        self.name = name
        self.nodes = nodes
        self.golden = golden
        self.firstOrder = firstOrder
        self.secondOrder = secondOrder
        self.eps = eps
        self.samples = samples
        self.errors = errors
    }
}

/// A float64 tensor of values in [-1, 1) drawn from a fixed-seed generator (never the global one).
public func sample(_ shape: [Int], seed: UInt64 = 1, dtype: DType = .float64) -> Tensor {
    (Tensor.rand(shape, dtype: .float64, generator: Generator(seed: seed)) * 2 - 1).to(dtype)
}

/// A float64 tensor of values in [lo, hi) from a fixed-seed generator: inputs kept away from a kink or a pole.
public func sample(_ shape: [Int], seed: UInt64 = 1, in range: ClosedRange<Double>) -> Tensor {
    Tensor.rand(shape, dtype: .float64, generator: Generator(seed: seed)) * (range.upperBound - range.lowerBound) + range.lowerBound
}

/// Maps every element through `f` in a plain scalar loop: the reference for elementwise ops.
public func elementwise(_ x: Tensor, _ f: (Double) -> Double) -> Tensor {
    Tensor(x.contiguous().scalars.map(f), shape: x.shape)
}

/// Combines two tensors broadcast to one shape (each read through `expand`) element by element.
public func elementwise(_ a: Tensor, _ b: Tensor, _ f: (Double, Double) -> Double) -> Tensor {
    let shape = broadcastShape(a.shape, b.shape)
    let x = a.expand(shape).contiguous().scalars, y = b.expand(shape).contiguous().scalars
    return Tensor(zip(x, y).map(f), shape: shape)
}

/// NumPy's broadcast rule, written out for the references.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
    let n = Swift.max(a.count, b.count)
    let pa = [Int](repeating: 1, count: n - a.count) + a, pb = [Int](repeating: 1, count: n - b.count) + b
    return zip(pa, pb).map { $0 == 1 ? $1 : $0 }
}
