// The record form of fused ops with an input and optional weight and bias (convolution, normalization).

/// Records `out` as produced by a fused op from `input` and the optional `weight` and `bias`, as `record` does,
/// and chooses its backward: `fused` (the backend's kernels, differentiable once) normally, `differentiable`
/// (written in Tensor ops, so second derivatives flow) when the backward itself is being recorded
/// (`createGraph`). Both receive the output gradient and which inputs need a gradient (absent ones never do),
/// and return gradients by role; this function maps them back to the node's inputs, so ops do no index
/// arithmetic over which optional inputs are present.
///
/// - Parameters:
///   - out: The op's output, which gets the new node as its `gradFn`.
///   - name: PyTorch's node name (`ConvolutionBackward0`).
///   - input: The op's main input.
///   - weight: The optional weight (scale) input.
///   - bias: The optional bias (shift) input.
///   - saved: Tensors the backward reads, checked for in-place changes before it runs.
///   - differentiable: The backward in Tensor ops, used under `createGraph`.
///   - fused: The backward through the backend's fused kernels.
@discardableResult
public func record(_ out: Tensor, _ name: String, input: Tensor, weight: Tensor?, bias: Tensor?, saved: [Tensor],
                   differentiable: @escaping (Tensor, GradientNeeds) -> FusedGradients,
                   fused: @escaping (Tensor, GradientNeeds) -> FusedGradients) -> Tensor {
    let inputs = [input] + [weight, bias].compactMap { $0 }
    let needs = GradientNeeds(input: input.requiresGrad, weight: weight?.requiresGrad ?? false, bias: bias?.requiresGrad ?? false)
    let hasWeight = weight != nil, hasBias = bias != nil
    return record(out, name, inputs: inputs, saved: saved) { g in
        let createGraph = GradMode.isEnabled && (g.requiresGrad || inputs.contains { $0.requiresGrad })
        let grads = createGraph ? differentiable(g, needs) : fused(g, needs)
        return [grads.input] + (hasWeight ? [grads.weight] : []) + (hasBias ? [grads.bias] : [])
    }
}
