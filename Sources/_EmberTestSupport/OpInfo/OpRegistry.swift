// The op registry: every differentiable op with its samples, golden cases, gradcheck levels and error inputs.
import Ember

/// Every differentiable op of Ember, one `OpInfo` each (PyTorch's `op_db`).
///
/// `OpRegistryTests` walks it (values against the references, non-contiguous inputs, finite-difference
/// gradients, the recorded node names, the error messages) and checks that every autograd node name recorded
/// in `Sources/` has an entry. Built on each call: entries hold tensors, which are not `Sendable`.
public enum OpRegistry {
    /// All entries, grouped by family as the files of `Sources/Ember/Ops` and `Sources/EmberNN/Functional` are.
    public static var all: [OpInfo] {
        arithmetic + unary + reductions + views + joining + indexing + activations + convolutions + pooling
            + normalization + losses + sequence
    }

    /// The entry called `name`, or nil.
    public static func entry(named name: String) -> OpInfo? { all.first { $0.name == name } }
}

/// Names one error input of one entry, so that a child process (an exit test) can find and run it.
public struct OpErrorCase: Codable, Sendable, CustomStringConvertible {
    public let op: String
    public let index: Int
    public let label: String
    public var description: String { "\(op): \(label)" }

    /// Every error input of the registry.
    public static var all: [OpErrorCase] {
        OpRegistry.all.flatMap { info in info.errors.enumerated().map { OpErrorCase(op: info.name, index: $0, label: $1.label) } }
    }

    /// Makes the bad call (inside the child process).
    public func trigger() { OpRegistry.entry(named: op)?.errors[index].trigger() }

    /// The message the call must print.
    public var message: String { OpRegistry.entry(named: op)?.errors[index].message ?? "<no such error input \(self)>" }
}
