// Second-order gradient check: finite differences of the first derivatives recorded with `createGraph`.
import Ember

/// The first derivatives of `f(inputs)·direction` with respect to every input, flattened into one vector, with
/// the graph recorded: gradcheck on this checks the second derivatives.
/// (gradcheck evaluates its function under `noGrad` with plain inputs for the finite differences, so the
/// graph is switched back on here and such inputs get fresh leaves.)
public func firstDerivatives(_ inputs: [Tensor], direction: Tensor? = nil, _ f: ([Tensor]) -> Tensor) -> Tensor {
    enableGrad {
        let xs = inputs.map { $0.requiresGrad || !$0.dtype.isFloatingPoint ? $0 : $0.detach().requiresGrad_() }
        let y = f(xs)
        let direction = direction ?? sample(y.shape, seed: 99)
        let wrt = xs.filter { $0.requiresGrad }
        let grads = grad(of: [(y * direction).sum()], with: wrt, createGraph: true, allowUnused: true)
        return Tensor.cat(zip(grads, wrt).map { ($0 ?? Tensor.zerosLike($1)).reshape([-1]) }, dim: 0)
    }
}

/// Like `torch.autograd.gradgradcheck`: the first derivatives recorded with `createGraph` equal those of a plain
/// backward (the fast kernels), and their own derivatives — with respect to the inputs and to the upstream
/// gradient, as PyTorch's — agree with finite differences: together, the recorded backward is right to second
/// order. Returns nil when both hold, else a description.
///
/// - Parameters:
///   - inputs: The inputs; floating ones are differentiated (in float64).
///   - eps: The finite-difference step.
///   - f: The function to check, from the inputs to one tensor.
public func gradgradcheck(_ inputs: [Tensor], eps: Double = 1e-6, _ f: @escaping ([Tensor]) -> Tensor) -> String? {
    let leaves = inputs.map { $0.dtype.isFloatingPoint ? $0.detach().to(.float64).requiresGrad_() : $0 }
    let wrt = leaves.filter { $0.requiresGrad }
    let y = f(leaves)
    let plain = grad(of: [(y * sample(y.shape, seed: 99)).sum()], with: wrt, allowUnused: true)
    let plainFlat = Tensor.cat(zip(plain, wrt).map { ($0 ?? Tensor.zerosLike($1)).reshape([-1]) }, dim: 0)
    if let bad = closeness(firstDerivatives(leaves, f), plainFlat, rtol: 1e-10, atol: 1e-12,
                           label: "first derivatives with createGraph vs without") {
        return bad
    }
    // The upstream gradient is the last input, so the backward's own nodes (`...BackwardBackward0`) are checked
    // even for linear ops, whose first derivatives do not depend on the inputs.
    return gradcheck(inputs + [sample(y.shape, seed: 99)], eps: eps) { u in
        firstDerivatives(Array(u.dropLast()), direction: u.last!, f)
    }.map { "second derivatives: " + $0 }
}
