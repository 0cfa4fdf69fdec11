// Watching module calls: lets a tool see which module produced which tensor (the TensorBoard graph tracer
// puts each op inside the box of the layer that ran it, at any depth).
import Ember

/// Told of every module call made while it is bound with `ModuleCalls.observing(_:_:)` on this thread.
public protocol ModuleCallObserver: AnyObject, Sendable {
    /// `module` has just run `forward` on `input` and returned `output` (inner modules are reported first).
    func moduleDidRun(_ module: Module, input: Tensor, output: Tensor)
}

/// The observer of module calls on the current thread or task, if any (PyTorch's forward hooks, for tools).
public enum ModuleCalls {
    @TaskLocal static var observer: (any ModuleCallObserver)?

    /// Runs `body` with `observer` told of every `module(x)` call it makes on this thread.
    public static func observing<R>(_ observer: any ModuleCallObserver, _ body: () throws -> R) rethrows -> R {
        try $observer.withValue(observer, operation: body)
    }
}
