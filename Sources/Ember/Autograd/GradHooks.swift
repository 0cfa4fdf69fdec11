// Gradient hooks: code that runs when backward has finished accumulating a leaf's gradient.

/// Removes the hook it was returned for (`torch.utils.hooks.RemovableHandle`).
public final class RemovableHandle {
    private var action: (() -> Void)?
    init(_ action: @escaping () -> Void) { self.action = action }
    /// Removes the hook; later calls do nothing.
    public func remove() {
        action?()
        action = nil
    }
}

extension Tensor {
    nonisolated(unsafe) private static var nextHookID = 0

    /// Runs `hook(self)` each time a backward pass has accumulated into this leaf's `.grad`
    /// (`Tensor.register_post_accumulate_grad_hook`). The hook sees the updated `.grad` and may read or
    /// replace it; it runs on the thread that called `backward()`, once per backward even when the leaf was used
    /// several times (the engine sums its incoming gradients first). `autograd.grad(of:with:)` does not run it.
    /// `DistributedDataParallel` uses it to start a bucket's all-reduce as soon as its gradients are ready.
    ///
    /// Only leaves that require grad accumulate, so only they accept the hook (PyTorch's rule). Capture
    /// objects that own this tensor weakly, or the hook keeps them alive.
    @discardableResult
    public func registerPostAccumulateGradHook(_ hook: @escaping (Tensor) -> Void) -> RemovableHandle {
        emberCheck(requiresGrad && isLeaf, "register_post_accumulate_grad_hook",
                   "post accumulate grad hooks cannot be registered on non-leaf tensors or tensors that do not require grad")
        Tensor.nextHookID += 1
        let id = Tensor.nextHookID
        postAccumulateGradHooks.append((id, hook))
        return RemovableHandle { [weak self] in self?.postAccumulateGradHooks.removeAll { $0.id == id } }
    }
}
