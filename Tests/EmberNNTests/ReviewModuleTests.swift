// Review findings in Module discovery and state dicts, checked against PyTorch 2.x behaviour.
import Testing
import Ember
import EmberNN
import _EmberTestSupport

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

@Suite("Review: Module")
struct ReviewModuleTests {
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
