// The autograd surface of Tensor: requiresGrad, backward, grad(of:with:), detach, retainGrad.

extension Tensor {
    /// Whether operations on this tensor are recorded for differentiation (`requires_grad`).
    ///
    /// Only leaves can be switched off, and only floating-point tensors can require grad, as in PyTorch.
    public var requiresGrad: Bool {
        get { requiresGradFlag }
        set {
            if !newValue && !isLeaf {
                emberFail("requiresGrad", "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
            }
            if newValue { emberCheck(dtype.isFloatingPoint, "requiresGrad", "only Tensors of floating point dtype can require gradients, got \(dtype)") }
            requiresGradFlag = newValue
        }
    }

    /// Sets `requiresGrad` and returns self, like `requires_grad_()`.
    @discardableResult
    public func requiresGrad_(_ flag: Bool = true) -> Tensor { requiresGrad = flag; return self }

    /// Computes the gradient of this tensor with respect to graph leaves, accumulating into their `.grad`.
    ///
    /// Matches `Tensor.backward`: a scalar needs no `gradient`; a non-scalar stops with PyTorch's message
    /// unless one is given. Without `retainGraph` the graph's saved tensors are freed.
    ///
    /// - Parameters:
    ///   - gradient: The gradient of the final result with respect to this tensor; nil for a one-element tensor (1).
    ///   - retainGraph: Keep the graph's saved tensors so that backward can run through it again.
    ///   - createGraph: Record the backward pass itself, for higher-order derivatives.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) {
        let seed: Tensor
        if let g = gradient {
            emberCheck(g.shape == shape, "backward", "Mismatch in shape: grad_output[0] has a shape of \(shapeString(g.shape)) and output[0] has a shape of \(shapeString(shape)).")
            seed = g
        } else {
            emberCheck(numel == 1, "backward", "grad can be implicitly created only for scalar outputs (got shape \(shapeString(shape)))")
            seed = Tensor.onesLike(self)
        }
        _ = Engine.run(roots: [self], seeds: [seed], retainGraph: retainGraph || createGraph, createGraph: createGraph)
    }

    /// A tensor sharing this one's storage but cut from the graph (`detach()`).
    public func detach() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, storageOffset: storageOffset, dtype: dtype, version: versionBox)
    }

    /// Makes this non-leaf keep its `.grad` after backward (`retain_grad()`).
    public func retainGrad() {
        if isLeaf { return }
        retainsGradFlag = true
        gradFn?.retainedOutput = self
    }

    /// Resets `.grad`: to nil (`setToNone`, PyTorch 2's default) or to zeros in place.
    public func zeroGrad(setToNone: Bool = true) {
        if setToNone { grad = nil } else if let g = grad { noGrad { g.fill_(0) } }
    }
}

/// Gradients of `outputs` with respect to `inputs` (`torch.autograd.grad`), without touching any `.grad`.
///
/// With `createGraph: true` the returned gradients are themselves differentiable (second-order gradients).
///
/// ```swift
/// let dx = grad(of: [y], with: [x], createGraph: true)[0]!
/// let ddx = grad(of: [dx.sum()], with: [x])[0]!
/// ```
///
/// - Parameters:
///   - outputs: The tensors to differentiate.
///   - inputs: The tensors to differentiate with respect to.
///   - gradOutputs: The gradients of the outputs; nil for one-element outputs (1 each).
///   - retainGraph: Keep the graph's saved tensors so that backward can run through it again.
///   - createGraph: Record the backward pass itself, for higher-order derivatives.
///   - allowUnused: Return nil for an input the outputs do not depend on, instead of stopping.
public func grad(of outputs: [Tensor], with inputs: [Tensor], gradOutputs: [Tensor]? = nil,
                 retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool = false) -> [Tensor?] {
    let seeds: [Tensor] = gradOutputs ?? outputs.map { o in
        emberCheck(o.numel == 1, "grad", "grad can be implicitly created only for scalar outputs (got shape \(shapeString(o.shape)))")
        return Tensor.onesLike(o)
    }
    return Engine.run(roots: outputs, seeds: seeds, retainGraph: retainGraph ?? createGraph, createGraph: createGraph,
                      targets: inputs, allowUnused: allowUnused)
}
