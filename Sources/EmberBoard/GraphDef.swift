// GraphDef: graph nodes as TensorBoard's Graphs tab reads them (GraphDef/NodeDef/AttrValue encoding).

/// One node of a graph for TensorBoard's Graphs tab, in the layout PyTorch's `add_graph` uses.
///
/// `name` is a `/`-separated scope path (`Sequential/Linear[3]/81`): TensorBoard folds nodes sharing a
/// prefix into one box per module. `op` is what the node computes (`aten::linear`, `IO Node`, ...),
/// `inputs` are the names of the nodes feeding it, and `outputShape`, when known, is shown on the edges
/// (PyTorch's `_output_shapes` attribute). `attributes` is PyTorch's free-text `attr` string.
public struct GraphNode: Equatable {
    /// Unique `/`-separated name; the prefix is the scope TensorBoard groups by.
    public var name: String
    /// What the node computes, e.g. `aten::linear`.
    public var op: String
    /// Names of the nodes feeding this one (each must be the name of another node).
    public var inputs: [String]
    /// Shape of the node's output, when known (`_output_shapes`).
    public var outputShape: [Int]?
    /// PyTorch's free-text `attr` attribute (`{}` for ops, empty for IO nodes).
    public var attributes: String

    /// A node; inputs, shape and attributes default to none, unknown and `{}`.
    ///
    /// - Parameters:
    ///   - name: The node's unique name (a `/` path shows as nesting).
    ///   - op: The op shown on the node (`aten::linear`).
    ///   - inputs: The names of the nodes feeding this one.
    ///   - outputShape: The shape of the node's output, shown on its edges.
    ///   - attributes: Extra attributes as JSON text, shown in the node's details.
    public init(name: String, op: String, inputs: [String] = [], outputShape: [Int]? = nil, attributes: String = "{}") {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.outputShape = outputShape
        self.attributes = attributes
    }
}

/// Serializes nodes as a `tensorboard.GraphDef` (node=1, versions=4 {producer=22}), the bytes that go
/// into `Event.graph_def`.
///
/// Each `NodeDef` has name=1, op=2, input=3, device=4 (empty, as in PyTorch) and attr=5, a map holding
/// `attr` (`AttrValue.s`, the attribute string) and, when the shape is known, `_output_shapes`
/// (`AttrValue.list.shape`).
public func graphDefBytes(_ nodes: [GraphNode]) -> [UInt8] {
    var w = ProtobufWriter()
    for node in nodes {
        w.message(1) { n in
            n.string(1, node.name)
            n.string(2, node.op)
            for input in node.inputs { n.string(3, input) }
            n.message(5) { entry in
                entry.string(1, "attr")
                entry.message(2) { $0.bytes(2, Array(node.attributes.utf8)) }   // oneof: written even when empty
            }
            if let shape = node.outputShape {
                n.message(5) { entry in
                    entry.string(1, "_output_shapes")
                    entry.message(2) { value in
                        value.message(1) { list in list.message(7) { encodeShape(shape, into: &$0) } }
                    }
                }
            }
        }
    }
    w.message(4) { $0.int(1, 22) }
    return w.bytes
}

/// `RunMetadata{step_stats{dev_stats{device: "/device:CPU:0"}}}`, which PyTorch writes after the graph
/// as `TaggedRunMetadata(tag: "step1")`.
func cpuRunMetadataBytes() -> [UInt8] {
    var w = ProtobufWriter()
    w.message(1) { $0.message(1) { $0.string(1, "/device:CPU:0") } }
    return w.bytes
}
