// Module as a GraphExportable: lets `addGraph(model:input:)` show the module tree with its ops.
import Ember
import EmberNN

extension Module: GraphExportable {
    public var graphTypeName: String { typeName }
    public var graphChildren: [(name: String, module: any GraphExportable)] { namedChildren().map { (name: $0.0, module: $0.1) } }
    public var graphParameters: [(name: String, tensor: Tensor)] { namedParameters(recurse: false).map { (name: $0.0, tensor: $0.1) } }
    public var graphChainsChildren: Bool { self is Sequential }
    public func graphForward(_ input: Tensor) -> Tensor { self(input) }
    public func graphForward(_ input: Tensor, reportingCalls report: @escaping (AnyObject, Tensor) -> Void) -> Tensor {
        ModuleCalls.observing(CallReporter(report)) { self(input) }
    }
}

/// Passes each module call on to the graph tracer.
final class CallReporter: ModuleCallObserver, @unchecked Sendable {
    let report: (AnyObject, Tensor) -> Void
    init(_ report: @escaping (AnyObject, Tensor) -> Void) { self.report = report }
    func moduleDidRun(_ module: Module, input: Tensor, output: Tensor) { report(module, output) }
}
