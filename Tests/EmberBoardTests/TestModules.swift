// TestModules: tiny modules conforming to GraphExportable, standing in for EmberNN's Module in the tests.

import Ember
import EmberBoard

final class TestLinear: GraphExportable {
    let weight: Tensor
    let bias: Tensor
    init(_ inFeatures: Int, _ outFeatures: Int) {
        weight = Tensor((0..<(inFeatures * outFeatures)).map { Float($0 % 5) * 0.1 - 0.2 }, shape: [outFeatures, inFeatures])
            .requiresGrad_(true)
        bias = Tensor([Float](repeating: 0.1, count: outFeatures), shape: [outFeatures]).requiresGrad_(true)
    }
    var graphTypeName: String { "Linear" }
    var graphParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
    func graphForward(_ input: Tensor) -> Tensor { input.matmul(weight.t()) + bias }
}

final class TestReLU: GraphExportable {
    var graphTypeName: String { "ReLU" }
    func graphForward(_ input: Tensor) -> Tensor { input.relu() }
}

final class TestFlatten: GraphExportable {
    var graphTypeName: String { "Flatten" }
    func graphForward(_ input: Tensor) -> Tensor { input.flatten(startDim: 1) }
}

final class TestSequential: GraphExportable {
    let layers: [any GraphExportable]
    init(_ layers: [any GraphExportable]) { self.layers = layers }
    var graphTypeName: String { "Sequential" }
    var graphChildren: [(name: String, module: any GraphExportable)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }
    var graphChainsChildren: Bool { true }
    func graphForward(_ input: Tensor) -> Tensor { layers.reduce(input) { $1.graphForward($0) } }
}

/// A block with a skip connection: not a chain, so traced as one scope.
final class TestResidual: GraphExportable {
    let inner = TestLinear(4, 4)
    var graphTypeName: String { "Residual" }
    var graphChildren: [(name: String, module: any GraphExportable)] { [("inner", inner)] }
    func graphForward(_ input: Tensor) -> Tensor { (inner.graphForward(input) + input).relu() }
}
