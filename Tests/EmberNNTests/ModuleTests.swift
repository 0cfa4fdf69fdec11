// Module mechanics: discovery, PyTorch names, state dicts, modes, printing, containers, default init.
import Testing
import Ember
import EmberNN
import _EmberTestSupport

/// The notes' custom block: children as properties, a parameter of its own, a buffer.
final class Block: Module {
    let first = Linear(4, 8)
    let act = ReLU()
    let heads: [Module] = [Linear(8, 2), Linear(8, 3)]
    @Parameter var scale: Tensor = Tensor.ones([1])
    @Buffer var runningCount: Tensor = Tensor.zeros([1])
    @Buffer(persistent: false) var scratch: Tensor = Tensor.zeros([2])
    override func forward(_ x: Tensor) -> Tensor { act(first(x)) * scale }
}

@Suite("Module")
struct ModuleTests {
    @Test func namedParametersUsePyTorchNames() {
        let names = Block().namedParameters().map { $0.0 }
        #expect(names == ["scale", "first.weight", "first.bias", "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"])
    }
    @Test func stateDictOrderAndBuffers() {
        let keys = Block().stateDict().keys
        // PyTorch order: own params, own persistent buffers, then children; non-persistent buffers left out.
        #expect(keys == ["scale", "running_count", "first.weight", "first.bias", "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"])
    }
    @Test func sequentialNamesAndIndexing() {
        let net = Sequential { Flatten(); Linear(784, 256); ReLU(); Linear(256, 10) }
        #expect(net.stateDict().keys == ["1.weight", "1.bias", "3.weight", "3.bias"])
        #expect(net[1].weight.shape == [256, 784])
        net[3] = Linear(256, 5)
        #expect(net.stateDict()["3.weight"]!.shape == [5, 256])
        #expect(net[-1] === net[3])
    }
    @Test func printedLikePyTorch() {
        let net = Sequential { Flatten(); Linear(784, 256); ReLU(); Linear(256, 10) }
        // Expected text printed by PyTorch 2.13 for the same nn.Sequential.
        #expect(net.description == """
        Sequential(
          (0): Flatten(start_dim=1, end_dim=-1)
          (1): Linear(in_features=784, out_features=256, bias=True)
          (2): ReLU()
          (3): Linear(in_features=256, out_features=10, bias=True)
        )
        """)
    }
    @Test func trainEvalPropagate() {
        let b = Block()
        b.eval()
        #expect(b.modules().allSatisfy { !$0.training })
        b.train()
        #expect(b.modules().allSatisfy { $0.training })
    }
    @Test func applyVisitsChildrenFirst() {
        var seen: [String] = []
        Sequential { Linear(2, 2); ReLU() }.apply { seen.append($0.typeName) }
        #expect(seen == ["Linear", "ReLU", "Sequential"])
    }
    @Test func loadStateDictCopiesAndReportsErrors() throws {
        let a = Sequential { Linear(3, 2) }, b = Sequential { Linear(3, 2) }
        try b.loadStateDict(a.stateDict())
        #expect(b[0].weight.scalars == a[0].weight.scalars)
        #expect(b[0].weight !== a[0].weight)
        var sd = a.stateDict()
        sd["0.bias"] = nil
        sd["extra"] = Tensor.ones([1])
        sd["0.weight"] = Tensor.ones([4, 3])
        do {
            try b.loadStateDict(sd)
            Issue.record("expected an error")
        } catch let e as StateDictError {
            #expect(e.missingKeys == ["0.bias"] && e.unexpectedKeys == ["extra"])
            #expect(e.description.contains("size mismatch for 0.weight: copying a param with shape torch.Size([4, 3]) from checkpoint, the shape in current model is torch.Size([2, 3])."))
        }
        sd = a.stateDict()
        sd["extra"] = Tensor.ones([1])
        let (missing, unexpected) = try b.loadStateDict(sd, strict: false)
        #expect(missing.isEmpty && unexpected == ["extra"])
    }
    @Test func zeroGradAndFreezing() {
        let net = Sequential { Linear(3, 2) }
        net(Tensor.ones([1, 3])).sum().backward()
        #expect(net.parameters().allSatisfy { $0.grad != nil })
        net.zeroGrad()
        #expect(net.parameters().allSatisfy { $0.grad == nil })
        net.requiresGrad_(false)
        #expect(!net(Tensor.ones([1, 3])).requiresGrad)
    }
    @Test func linearDefaultInitMatchesPyTorchStream() {
        // A scoped generator: other tests running in parallel draw from the global one.
        let l = withGenerator(Generator(seed: 0)) { Linear(4, 3) }
        // torch.manual_seed(0); nn.Linear(4, 3) with PyTorch 2.13.
        let w: [Double] = [-0.003743410110473633, 0.26822179555892944, -0.4115225672721863, -0.3679695129394531,
                           -0.19257718324661255, 0.13407868146896362, -0.009906589984893799, 0.39644473791122437,
                           -0.04437202215194702, 0.1323062777519226, -0.15110653638839722, -0.09828269481658936]
        #expect(closeness(l.weight, Tensor(w, shape: [3, 4]).float(), rtol: 1e-6) == nil)
        #expect(closeness(l.bias!, tensor([-0.4776742458343506, -0.33114105463027954, -0.20611155033111572]), rtol: 1e-6) == nil)
    }
    @Test func linearGradcheck() {
        let l = Linear(3, 2, dtype: .float64)
        let x = Tensor.randn([4, 3], dtype: .float64)
        #expect(gradcheck([x, l.weight, l.bias!]) { v in v[0].matmul(v[1].t()) + v[2] } == nil)
    }
}

private class BaseBlock: Module {
    @Parameter var alpha: Tensor = Tensor.ones([1])
}
private class MiddleBlock: BaseBlock {
    var maybe: Linear? = Linear(2, 2)
    var gone: Linear? = nil
}
private final class LeafBlock: MiddleBlock {
    @Buffer var count: Tensor = Tensor.zeros([1])
    let convs: [Linear] = [Linear(2, 3), Linear(3, 2)]
}
private final class Shared: Module {
    let a = Linear(2, 2)
    lazy var b: Linear = a
    override init() { super.init(); _ = b }
}
private final class SharedLet: Module {
    let a: Linear
    let b: Linear
    override init() { let l = Linear(2, 2); a = l; b = l; super.init() }
}

/// Discovery through subclasses, optionals and arrays; shared children; dtype conversion on load (PyTorch 2.x behaviour).
@Suite("Module: discovery corners and state dicts")
struct ModuleDiscoveryTests {
    @Test func discoveryThroughSubclassesOptionalsAndArrays() {
        let m = LeafBlock()
        #expect(m.namedParameters().map { $0.0 } == ["alpha", "maybe.weight", "maybe.bias", "convs.0.weight", "convs.0.bias", "convs.1.weight", "convs.1.bias"])
        #expect(m.stateDict().keys == ["alpha", "count", "maybe.weight", "maybe.bias", "convs.0.weight", "convs.0.bias", "convs.1.weight", "convs.1.bias"])
    }
    @Test func biasFreeLinearRoundTripsItsStateDict() throws {
        let l = Linear(2, 2, bias: false)
        #expect(l.stateDict().keys == ["weight"])
        let r = try l.loadStateDict(l.stateDict())
        #expect(r.missing.isEmpty && r.unexpected.isEmpty)
    }
    @Test func sharedSubmoduleStateDictListsBothNames() throws {
        // PyTorch: state_dict keys a.weight, a.bias, b.weight, b.bias; named_parameters a.weight, a.bias.
        let m = SharedLet()
        #expect(m.namedParameters().map { $0.0 } == ["a.weight", "a.bias"])
        #expect(m.stateDict().keys == ["a.weight", "a.bias", "b.weight", "b.bias"])
        try m.loadStateDict(m.stateDict())
    }
    @Test func loadStateDictConvertsDtype() throws {
        let l = Linear(2, 1)
        var sd = StateDict()
        sd["weight"] = tensor([[1.0, 2.0]], dtype: .float64)
        sd["bias"] = tensor([3.0], dtype: .float64)
        try l.loadStateDict(sd)
        #expect(l.weight.dtype == .float32 && l.weight.scalars == [1, 2])
        #expect(l.weight.requiresGrad && l.weight.isLeaf)
    }
    @Test func namedModulesPrefix() {
        let net = Sequential { Linear(2, 2); Sequential { ReLU() } }
        #expect(net.namedModules(prefix: "net").map { $0.0 } == ["net", "net.0", "net.1", "net.1.0"])
    }
    @Test func normAndReshapeLayersPrintLikePyTorch() {
        // Strings printed by PyTorch 2.13.
        #expect(LayerNorm([10]).description == "LayerNorm((10,), eps=1e-05, elementwise_affine=True, bias=True)")
        #expect(LayerNorm([2, 3], bias: false).description == "LayerNorm((2, 3), eps=1e-05, elementwise_affine=True, bias=False)")
        #expect(Unflatten(dim: 1, sizes: [4]).description == "Unflatten(dim=1, unflattened_size=(4,))")
        #expect(Unflatten(dim: 1, sizes: [2, 3]).description == "Unflatten(dim=1, unflattened_size=(2, 3))")
    }
}
