// Module as a GraphExportable: lets `addGraph(model:input:)` show the module tree with its ops.
import Ember
import EmberNN

extension Module: GraphExportable {
    public var graphTypeName: String { typeName }
    public var graphChildren: [(name: String, module: any GraphExportable)] { namedChildren().map { (name: $0.0, module: $0.1) } }
    public var graphParameters: [(name: String, tensor: Tensor)] { namedParameters(recurse: false).map { (name: $0.0, tensor: $0.1) } }
    public var graphChainsChildren: Bool { self is Sequential }
    public func graphForward(_ input: Tensor) -> Tensor { self(input) }
}
