// The notes' CIFAR-10 model written as a Module whose layers sit in an attribute `model = Sequential {...}`,
// run once on a batch of 64 images, and its graph written to TensorBoard (`writer.add_graph(net, input)`):
// in the Graphs tab each layer is a box inside `CIFARNet/Sequential[model]`, holding the ops it ran.
import Foundation
import EmberKit

/// What `runCIFAR10NetWithTensorBoard` printed.
struct CIFAR10NetResult {
    /// The input batch's shape and the output's (`torch.Size([64, 10])`).
    var inputShape: [Int], outputShape: [Int]
    /// Number of parameters (the notes' model: 2,432 + 25,632 + 51,264 + 65,600 + 650).
    var parameterCount: Int
    /// The state dict's keys (`model.0.weight`, ...).
    var parameterKeys: [String]
    /// The graph's nodes (`graphNodes(model:input:)` over one image of the batch): name and op, in order.
    var graphNodes: [(name: String, op: String)]
    /// The output shape recorded on that graph's `output/output.1` node.
    var graphOutputShape: [Int]?
    /// The event file written.
    var eventFile: String
}

/// The notes' CIFAR-10 network: three 5×5 convolutions with 2×2 max pooling, Flatten and two linear layers
/// (no activations, as in the notes). The layers are in the attribute `model`, so their keys are `model.0.weight`.
/// EmberVision ships the same network as `CifarNet(numClasses:)`; here it is written out as the notes do.
final class CIFARNet: Module {
    let model = Sequential {
        Conv2d(3, 32, kernelSize: 5, padding: 2)
        MaxPool2d(kernelSize: 2)
        Conv2d(32, 32, kernelSize: 5, padding: 2)
        MaxPool2d(kernelSize: 2)
        Conv2d(32, 64, kernelSize: 5, padding: 2)
        MaxPool2d(kernelSize: 2)
        Flatten()
        Linear(1024, 64)
        Linear(64, 10)
    }
    override func forward(_ x: Tensor) -> Tensor { model(x) }
}

/// Builds the network, runs one batch through it and logs its graph to `logDir` (a fresh temporary folder by
/// default; `tensorboard --logdir <logDir>`).
func runCIFAR10NetWithTensorBoard(logDir: String? = nil, seed: Int = 0) throws -> CIFAR10NetResult {
    manualSeed(seed)
    let net = CIFARNet()
    print(net)

    // One forward pass: 64 random "images" of 3 × 32 × 32 give 64 rows of 10 class scores.
    let input = Tensor.randn(64, 3, 32, 32)
    let output = net(input)
    print("output.shape =", output.shape)

    // writer.add_graph(net, input): the graph is traced from one more forward pass.
    let dir = logDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("ember-cifar10-graph-\(UUID().uuidString)").path
    let writer = try SummaryWriter(logDir: dir)
    writer.addGraph(model: net, input: input)
    try writer.close()
    print("graph written to \(writer.eventFilePath) (tensorboard --logdir \(dir))")

    // The nodes as the Graphs tab shows them: ops inside the box of the layer that ran them. The boxes and
    // node names do not depend on the batch size, so one image is enough to list them (a second pass over
    // all 64 would only change the shapes).
    let nodes = graphNodes(model: net, input: input[0..<1])
    for node in nodes where node.op.hasPrefix("aten::") { print("  \(node.name)  \(node.op)") }

    let stateDict = net.stateDict()
    return CIFAR10NetResult(inputShape: input.shape, outputShape: output.shape,
                            parameterCount: net.parameters().reduce(0) { $0 + $1.numel },
                            parameterKeys: stateDict.keys,
                            graphNodes: nodes.map { ($0.name, $0.op) },
                            graphOutputShape: nodes.last(where: { $0.name == "output/output.1" })?.outputShape,
                            eventFile: writer.eventFilePath)
}
