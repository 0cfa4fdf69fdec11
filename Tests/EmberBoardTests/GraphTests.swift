// GraphTests: graph nodes traced from a module tree and from an autograd graph.

import Ember
@testable import EmberBoard
import EmberNN
import Testing

@Suite struct GraphTests {
    @Test func opNamesFollowATen() {
        #expect(atenName("AddmmBackward0") == "aten::addmm")
        #expect(atenName("MaxPool2DWithIndicesBackward0") == "aten::max_pool2d_with_indices")
        #expect(atenName("NativeLayerNormBackward0") == "aten::native_layer_norm")
        #expect(atenName("Log1PBackward0") == "aten::log1p")
        #expect(atenName("ReluBackward0") == "aten::relu")
        #expect(atenName("AccumulateGrad") == "prim::GetAttr")
    }

    /// Checks names are unique and every input names an earlier node (TensorBoard needs both).
    func expectWellFormed(_ nodes: [GraphNode]) {
        var seen: Set<String> = []
        for n in nodes {
            #expect(!seen.contains(n.name), "duplicate node \(n.name)")
            for i in n.inputs { #expect(seen.contains(i), "\(n.name) reads \(i) before it exists") }
            seen.insert(n.name)
        }
    }

    @Test func autogradGraphOfAnExpression() {
        let x = Tensor([1, -2, 3] as [Float]).requiresGrad_(true)
        let w = Tensor([0.5, 0.5, -1] as [Float]).requiresGrad_(true)
        let y = (x * w + x).relu()
        let nodes = graphNodes(output: y, parameters: [("x", x), ("w", w)])
        // Walked from the output, inputs first: ReLU(Add(Mul(x, w), x)).
        #expect(nodes == [
            GraphNode(name: "x", op: "prim::GetAttr"),
            GraphNode(name: "w", op: "prim::GetAttr"),
            GraphNode(name: "mul.1", op: "aten::mul", inputs: ["x", "w"]),
            GraphNode(name: "add.2", op: "aten::add", inputs: ["mul.1", "x"]),
            GraphNode(name: "relu.3", op: "aten::relu", inputs: ["add.2"], outputShape: [3]),
            GraphNode(name: "output/output.1", op: "IO Node", inputs: ["relu.3"], outputShape: [3], attributes: ""),
        ])
    }

    @Test func sequentialIsScopedPerChild() throws {
        let model = TestSequential([TestLinear(3, 4), TestReLU(), TestFlatten(), TestLinear(4, 2)])
        let input = Tensor([Float](repeating: 0.5, count: 6), shape: [2, 1, 3])
        let nodes = graphNodes(model: model, input: input)
        expectWellFormed(nodes)
        #expect(nodes.first == GraphNode(name: "input/input.1", op: "IO Node", outputShape: [2, 1, 3], attributes: ""))
        let names = Set(nodes.map(\.name))
        for p in ["Sequential/Linear[0]/weight", "Sequential/Linear[0]/bias", "Sequential/Linear[3]/weight", "Sequential/Linear[3]/bias"] {
            #expect(names.contains(p))
        }
        // Each child's last op carries the child's output shape; the next child reads it.
        let shaped = nodes.filter { $0.outputShape != nil && $0.op != "IO Node" }
        #expect(shaped.map { $0.name.split(separator: "/").dropLast().joined(separator: "/") } ==
                ["Sequential/Linear[0]", "Sequential/ReLU[1]", "Sequential/Flatten[2]", "Sequential/Linear[3]"])
        #expect(shaped.map(\.outputShape!) == [[2, 1, 4], [2, 1, 4], [2, 4], [2, 2]])
        try #require(shaped.count == 4)
        #expect(shaped[1].op == "aten::relu" && shaped[1].inputs == [shaped[0].name])
        #expect(nodes.last == GraphNode(name: "output/output.1", op: "IO Node", inputs: [shaped[3].name],
                                        outputShape: [2, 2], attributes: ""))
        // The first linear's ops read the model input and its weight; no gradient was accumulated.
        let linear0 = nodes.filter { $0.name.hasPrefix("Sequential/Linear[0]/") }
        #expect(linear0.contains { $0.inputs.contains("input/input.1") })
        #expect(linear0.contains { $0.inputs.contains("Sequential/Linear[0]/weight") })
        #expect(shaped[2].op.hasPrefix("aten::") && shaped[2].inputs == [shaped[1].name])
        #expect((model.layers[0] as! TestLinear).weight.grad == nil)
    }

    @Test func nonChainModuleIsOneScopeWithNamedParameters() {
        let model = TestResidual()
        let nodes = graphNodes(model: model, input: Tensor.ones([1, 4]))
        expectWellFormed(nodes)
        let names = nodes.map(\.name)
        #expect(names.contains("Residual/Linear[inner]/weight") && names.contains("Residual/Linear[inner]/bias"))
        // The skip connection: the add reads the model input directly.
        #expect(nodes.contains { $0.op == "aten::add" && $0.inputs.contains("input/input.1") })
        #expect(nodes.dropLast().last?.op == "aten::relu")
        #expect(nodes.last?.inputs == [nodes.dropLast().last!.name])
    }

    @Test func identityModuleStillGetsANode() {
        let nodes = graphNodes(model: TestSequential([TestFlatten()]), input: Tensor.ones([2, 3]))
        #expect(nodes.map(\.name) == ["input/input.1", "Sequential/Flatten[0]/flatten.1", "output/output.1"])
        #expect(nodes[1] == GraphNode(name: "Sequential/Flatten[0]/flatten.1", op: "Flatten", inputs: ["input/input.1"],
                                      outputShape: [2, 3]))
    }

    @Test func nonContiguousInput() {
        let nodes = graphNodes(model: TestSequential([TestReLU()]), input: Tensor.ones([3, 2]).t())
        #expect(nodes.map(\.op) == ["IO Node", "aten::relu", "IO Node"])
        #expect(nodes[1].inputs == ["input/input.1"] && nodes[2].outputShape == [2, 3])
    }

    @Test func graphDefRoundTripsThroughTheParser() {
        let nodes = graphNodes(model: TestSequential([TestLinear(3, 2), TestReLU()]), input: Tensor.ones([1, 3]))
        let parsed = parseProto(graphDefBytes(nodes))
        #expect(parsed.all(1).map { $0.fields.first(1)!.string } == nodes.map(\.name))
        #expect(parsed.first(4)?.fields.first(1)?.varint == 22)
    }
}

/// The notes' CIFAR-10 model: a `Module` holding a `Sequential` in its attribute `model`. PyTorch's
/// `add_graph` puts each op in the box of the layer that ran it; so does Ember, at any depth (issue 15).
@Suite struct NestedModuleGraphTests {
    final class CIFARNet: Module {
        let model = Sequential {
            Conv2d(3, 32, kernelSize: 5, padding: 2); MaxPool2d(kernelSize: 2)
            Conv2d(32, 32, kernelSize: 5, padding: 2); MaxPool2d(kernelSize: 2)
            Conv2d(32, 64, kernelSize: 5, padding: 2); MaxPool2d(kernelSize: 2)
            Flatten(); Linear(1024, 64); Linear(64, 10)
        }
        override func forward(_ x: Tensor) -> Tensor { model(x) }
    }

    @Test func opsAreInTheBoxOfTheLayerThatRanThem() throws {
        let net = CIFARNet()
        let nodes = graphNodes(model: net, input: Tensor.zeros([1, 3, 32, 32]))
        let ops = nodes.filter { $0.op.hasPrefix("aten::") }
        try #require(!ops.isEmpty)
        // Every op sits in a layer's box: CIFARNet/Sequential[model]/<Layer>[i]/op.
        for op in ops {
            let parts = op.name.split(separator: "/")
            #expect(parts.count == 4 && parts[0] == "CIFARNet" && parts[1] == "Sequential[model]", "\(op.name)")
        }
        // Each of the nine layers holds at least one op, in the order they ran.
        let boxes = ops.map { $0.name.split(separator: "/")[2] }
        var order: [Substring] = []
        for b in boxes where order.last != b { order.append(b) }
        #expect(order == ["Conv2d[0]", "MaxPool2d[1]", "Conv2d[2]", "MaxPool2d[3]", "Conv2d[4]", "MaxPool2d[5]",
                          "Flatten[6]", "Linear[7]", "Linear[8]"])
        // Parameters are named by their path, and the last layer's op carries the output shape.
        #expect(nodes.contains { $0.name == "CIFARNet/Sequential[model]/Linear[8]/weight" })
        #expect(ops.last?.outputShape == [1, 10])
    }
}
