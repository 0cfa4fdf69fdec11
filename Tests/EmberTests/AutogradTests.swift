// Autograd semantics: leaves, accumulation, noGrad, retainGraph, higher order, and freeing the graph.
import Foundation
import Testing
import Ember
import _EmberTestSupport

@Suite("Autograd")
struct AutogradTests {
    @Test func engineSharedNodeAndNonLeafGrad() {
        let x = tensor([1.0, 2.0], dtype: .float64, requiresGrad: true)
        let y = x * x
        let z = (y + y).sum()
        z.backward(retainGraph: true)
        #expect(x.grad!.scalars == [4, 8])
        z.backward()
        #expect(x.grad!.scalars == [8, 16])
        x.grad = nil
        let u = x * 2
        let v = (u * u).sum()
        let gu = grad(of: [v], with: [u])[0]!
        #expect(gu.scalars == [4, 8])
        #expect(x.grad == nil)
    }
    @Test func leafAndGradFnNames() {
        let x = Tensor.ones([2], requiresGrad: true)
        let y = x * 2 + 1
        #expect(x.isLeaf && !y.isLeaf)
        #expect(y.gradFn?.name == "AddBackward0")
        #expect(y.gradFn?.nextFunctions.first??.name == "MulBackward0")
        #expect((x * 2).gradFn?.nextFunctions.first??.name == "AccumulateGrad")
    }
    @Test func noGradIsNestedAndRestores() {
        let x = Tensor.ones([2], requiresGrad: true)
        noGrad {
            noGrad { #expect(!(x * 2).requiresGrad) }
            #expect(!GradMode.isEnabled)
            enableGrad { #expect((x * 2).requiresGrad) }
        }
        #expect(GradMode.isEnabled && (x * 2).requiresGrad)
    }
    @Test func noGradIsPerThread() {
        let x = Tensor.ones([2], requiresGrad: true)
        // A thread running while this one is inside noGrad still records.
        final class Box: @unchecked Sendable { var enabled = false }
        let box = Box()
        let thread = Thread { box.enabled = GradMode.isEnabled }
        noGrad { thread.start(); while !thread.isFinished { usleep(100) } }
        #expect(box.enabled)
        #expect((x * 2).requiresGrad)
    }
    @Test func retainGraphAllowsSecondBackward() {
        let x = Tensor.ones([3], requiresGrad: true)
        let y = (x * x).sum()
        y.backward(retainGraph: true)
        y.backward()
        #expect(x.grad!.scalars == [4, 4, 4])   // d(x^2)/dx = 2x, twice
    }
    @Test func savedTensorsFreedAfterBackward() {
        weak var weakSaved: Storage?
        do {
            let x = Tensor.ones([3], requiresGrad: true)
            let z: Tensor
            do {
                let y = x.exp()
                weakSaved = y.storage
                z = y.sin().sum()
            }
            #expect(weakSaved != nil)   // still held by the graph
            z.backward()
            #expect(weakSaved == nil)   // released with the graph's saved tensors
        }
    }
    @Test func noCycleBetweenTensorAndGradFn() {
        weak var weakOut: Tensor?
        weak var weakInput: Tensor?
        do {
            let x = Tensor.ones([3], requiresGrad: true)
            let y = x.exp().tanh()
            weakOut = y
            weakInput = x
        }
        #expect(weakOut == nil && weakInput == nil)
    }
    @Test func retainGradKeepsNonLeafGrad() {
        let x = Tensor.ones([2], requiresGrad: true)
        let y = x * 3
        y.retainGrad()
        (y * y).sum().backward()
        #expect(y.grad!.scalars == [6, 6])
        #expect(x.grad!.scalars == [18, 18])
    }
    @Test func secondOrderThroughTanh() {
        // d/dx tanh = 1 - tanh^2; d2/dx2 = -2 tanh (1 - tanh^2), derived by hand.
        let x = tensor([0.3, -0.7], dtype: .float64, requiresGrad: true)
        let dx = grad(of: [x.tanh().sum()], with: [x], createGraph: true)[0]!
        let ddx = grad(of: [dx.sum()], with: [x])[0]!
        let t = x.detach().tanh()
        let expected = -2 * t * (1 - t * t)
        #expect(closeness(ddx, expected, rtol: 1e-12) == nil)
    }
    @Test func gradcheckElementwiseAndViews() {
        let a = Tensor.randnStub([3, 4]), b = Tensor.randnStub([4])
        #expect(gradcheck([a, b]) { ($0[0] * $0[1] - $0[1] / ($0[0].abs() + 1)).sum(dim: 0) } == nil)
        #expect(gradcheck([a]) { $0[0].t().reshape(2, 6).slice(1, start: 1, end: 5, step: 2).exp() } == nil)
        #expect(gradcheck([a, b]) { $0[0].unsqueeze(0).expand(2, 3, 4).permute(2, 0, 1).sum(dims: [1]) * $0[1].unsqueeze(1) } == nil)
        #expect(gradcheck([a]) { $0[0].select(1, 2).pow(3) + $0[0].narrow(1, start: 0, length: 1).squeeze() } == nil)
    }
}

@Suite("Autograd accumulation")
struct AutogradAccumulationTests {
    @Test func gradAfterCreateGraphIsOwnedStorage() {
        // PyTorch 2.13: x.sum().backward(create_graph=True); (x * [1, 2, 3]).sum().backward() → x.grad == [2, 3, 4].
        let x = tensor([1.0, 2, 3], requiresGrad: true)
        x.sum().backward(createGraph: true)
        (x * tensor([1.0, 2, 3])).sum().backward()
        #expect(x.grad!.scalars == [2, 3, 4])
    }
    @Test func retainGradAccumulates() {
        // PyTorch 2.13: y = x*3; y.retain_grad(); z = (y*y).sum(); z.backward(retain_graph=True); z.backward() → y.grad == [12, 12].
        let x = Tensor.ones([2], requiresGrad: true)
        let y = x * 3
        y.retainGrad()
        let z = (y * y).sum()
        z.backward(retainGraph: true)
        z.backward()
        #expect(y.grad!.scalars == [12, 12])
    }
}

@Suite("In-place updates")
struct InPlaceUpdateTests {
    @Test func vectorizedInPlaceMatchesOutOfPlace() {
        let a = Tensor.randn([1000], generator: Generator(seed: 4)), b = Tensor.randn([1000], generator: Generator(seed: 5))
        for (name, op, ref) in [("add", { (x: Tensor) in x += b }, a + b), ("sub", { (x: Tensor) in x -= b }, a - b),
                                ("mul", { (x: Tensor) in x *= b }, a * b), ("div", { (x: Tensor) in x /= b }, a / b),
                                ("scale", { (x: Tensor) in x *= 0.25 }, a * 0.25)] as [(String, (Tensor) -> Void, Tensor)] {
            let x = a.clone()
            let storage = x.storage
            op(x)
            #expect(x.storage === storage, "\(name) must write in place")
            #expect(x.scalars == ref.scalars, "\(name)")
        }
    }
    @Test func fillCoversEveryLayoutAndDType() {
        for dt in DType.allCases where dt != .bool {
            #expect(Tensor.zeros([3], dtype: dt).scalars == [0, 0, 0], "\(dt)")
            #expect(Tensor.full([2], 3, dtype: dt).scalars == [3, 3], "\(dt)")
        }
        #expect(Tensor.full([2], -0.0).scalars.allSatisfy { $0 == 0 && $0.sign == .minus })
        let m = Tensor.ones([2, 3])
        m.t().select(0, 1).fill_(0)          // a strided view: only column 1 changes
        #expect(m.scalars == [1, 0, 1, 1, 0, 1])
    }
    @Test func inPlaceThroughAViewWritesTheBase() {
        let base = Tensor.zeros([6])
        let tail = base[3...]
        tail += Tensor.ones([3])
        #expect(base.scalars == [0, 0, 0, 1, 1, 1])
        let x = Tensor.arange(0.0, 4.0)
        x += x                                   // identical operand: fine
        #expect(x.scalars == [0, 2, 4, 6])
    }
}
