// Sum/mean, prod, max/min/amax/argmax and all/any: hand-derived values, shapes, ties, NaN (gradchecks and errors
// are in the op registry, _EmberTestSupport/OpInfo).
import Foundation
import Testing
import Ember
import _EmberTestSupport

/// Deterministic pseudo-random values in [-1, 1) (distinct with overwhelming probability).
func reductionSample(_ shape: [Int], seed: UInt64 = 7) -> Tensor {
    var s = seed &* 0x9E3779B97F4A7C15 &+ 1
    return Tensor((0..<shape.reduce(1, *)).map { _ -> Double in
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return Double(s >> 11) / Double(1 << 53) * 2 - 1
    }, shape: shape)
}

/// Standard error of an exit test as text.
func exitStderr(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite struct SumMeanTests {
    @Test func sumDimsShapesAndNegativeDims() {
        let a = Tensor.arange(24).reshape(2, 3, 4).float()
        #expect(a.sum().item() == 276)
        #expect(a.sum(dim: -1).shape == [2, 3])
        #expect(a.sum(dim: -1).scalars == [6, 22, 38, 54, 70, 86])
        #expect(a.sum(dim: 1, keepDim: true).shape == [2, 1, 4])
        #expect(a.sum(dims: [0, 2]).scalars == [60, 92, 124])          // 6+54, 22+70, 38+86
        #expect(a.sum(dims: [0, 1], keepDim: true).shape == [1, 1, 4])
        #expect(a.sum(dims: [0, 1]).scalars == [60, 66, 72, 78])        // leading-dims path
        let columns: [Double] = (0..<12).map { (k: Int) -> Double in Double(2 * k + 12) }
        #expect(a.sum(dim: 0).scalars == columns)
    }

    @Test func sumOfIntegersAndBoolsIsInt64() {
        let i = Tensor([Int32(1), 2, 3], shape: [3])
        #expect(i.sum().dtype == .int64 && i.sum().item(as: Int.self) == 6)
        let b = tensor([true, false, true])
        #expect(b.sum().dtype == .int64 && b.sum().item(as: Int.self) == 2)
        #expect(Tensor.arange(6).reshape(2, 3).sum(dim: 0).scalars == [3, 5, 7])
    }

    @Test func sumOfNonContiguousAndLargeBlocks() {
        // A transposed view: the reduced block is strided.
        let a = Tensor.arange(12).reshape(3, 4).float().t()             // [4, 3]
        #expect(a.sum(dim: 1).scalars == [12, 15, 18, 21])
        #expect(a.sum(dim: 0).scalars == [6, 22, 38])
        #expect(a.sum().item() == 66)
        // A block of 90_000 elements whose two dims do not merge: the per-row walk.
        let big = Tensor.arange(2 * 300 * 300).reshape(2, 300, 300).transpose(1, 2)
        #expect(big.sum(dims: [1, 2]).toArray(as: Int64.self) == [4_049_955_000, 12_149_955_000])
        #expect(big.double().sum(dims: [1, 2]).scalars == [4_049_955_000, 12_149_955_000])
        #expect(Tensor.zeros([2, 0]).sum(dim: 1).scalars == [0, 0])
    }

    @Test func meanKeepDim() {
        let a = tensor([[1.0, 2.0], [3.0, 5.0]])
        #expect(a.mean().item() == 2.75)
        #expect(a.mean(dim: 0, keepDim: true).shape == [1, 2])
        #expect(a.mean(dim: -1).scalars == [1.5, 4])
    }


}

@Suite struct ProdTests {
    @Test func values() {
        let a = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        #expect(a.prod().item() == 720)
        #expect(a.prod(dim: 1).scalars == [6, 120])
        #expect(a.prod(dim: 0, keepDim: true).shape == [1, 3])
        #expect(a.prod(dim: -2).scalars == [4, 10, 18])
        #expect(Tensor([Int32(2), 3, 4], shape: [3]).prod().dtype == .int64)
        #expect(tensor([true, true]).prod().dtype == .int64)
        #expect(Tensor.zeros([0]).prod().item() == 1)
    }

    @Test func gradientWithZeros() {
        // d/dx_i prod(x) = product of the others: [2, 0, 3] → [0, 6, 0]; two zeros → all 0.
        let x = tensor([2.0, 0.0, 3.0], requiresGrad: true)
        x.prod().backward()
        #expect(x.grad!.scalars == [0, 6, 0])
        #expect(x.prod().gradFn?.name == "ProdBackward0")
        let y = tensor([0.0, 0.0, 2.0], requiresGrad: true)
        y.prod().backward()
        #expect(y.grad!.scalars == [0, 0, 0])
        let z = tensor([[2.0, 0.0], [3.0, 4.0]], requiresGrad: true)
        z.prod(dim: 1).sum().backward()
        #expect(z.grad!.scalars == [0, 2, 4, 3])
        #expect(z.prod(dim: 1).gradFn?.name == "ProdBackward1")
    }

}

@Suite struct MaxMinTests {
    @Test func valuesIndicesTiesAndShapes() {
        let x = tensor([[1.0, 3.0, 3.0, 0.0], [2.0, -1.0, 5.0, 5.0]])
        let (v, i) = x.max(dim: 1)
        #expect(v.scalars == [3, 5] && i.toArray(as: Int64.self) == [1, 2] && i.dtype == .int64)
        let (mv, mi) = x.min(dim: -1, keepDim: true)
        #expect(mv.shape == [2, 1] && mv.scalars == [0, -1] && mi.toArray(as: Int64.self) == [3, 1])
        #expect(x.max().item() == 5 && x.min().item() == -1)
        #expect(x.amax(dim: 0).scalars == [2, 3, 5, 5])
        #expect(x.amin(dims: [0, 1], keepDim: true).shape == [1, 1])
        #expect(x.amax().item() == 5)
        // Integer and bool tensors keep their dtype.
        let n = Tensor.arange(6).reshape(2, 3)
        #expect(n.max().dtype == .int64 && n.max(dim: 1).values.toArray(as: Int64.self) == [2, 5])
        #expect(tensor([false, true]).max().dtype == .bool && tensor([false, true]).max().item() == 1)
        // A 0-d tensor along dim 0.
        #expect(Tensor(scalar: 3).max(dim: 0).indices.item(as: Int.self) == 0)
    }

    @Test func nanPropagates() {
        let x = tensor([[1.0, .nan, 5.0, .nan], [2.0, 1.0, 0.0, 4.0]])
        let (v, i) = x.max(dim: 1)
        #expect(v.scalars[0].isNaN && v.scalars[1] == 4 && i.toArray(as: Int64.self) == [1, 3])
        let (mv, mi) = x.min(dim: 1)
        #expect(mv.scalars[0].isNaN && mi.toArray(as: Int64.self) == [1, 2])
        #expect(x.max().item().isNaN && x.min().item().isNaN)
        #expect(x.argmax(dim: 1).toArray(as: Int64.self) == [1, 3])
        #expect(x.argmax().item(as: Int.self) == 1)
    }

    @Test func gradientsOfTiesAndIndices() {
        // max(): split evenly among ties (MaxBackward1); max(dim): all to the first index (MaxBackward0);
        // amax: split evenly within each reduced block (AmaxBackward0) — PyTorch's numbers.
        let data = [[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 1.0, 0.0]]
        let a = tensor(data, requiresGrad: true)
        a.max().backward()
        #expect(a.grad!.scalars == [0, 0.5, 0.5, 0, 0, 0, 0, 0])
        #expect(a.max().gradFn?.name == "MaxBackward1")
        let b = tensor(data, requiresGrad: true)
        b.amax(dim: 1).sum().backward()
        #expect(b.grad!.scalars == [0, 0.5, 0.5, 0, 0.5, 0.5, 0, 0])
        let c = tensor(data, requiresGrad: true)
        c.max(dim: 1).values.sum().backward()
        #expect(c.grad!.scalars == [0, 1, 0, 0, 1, 0, 0, 0])
        #expect(c.max(dim: 1).values.gradFn?.name == "MaxBackward0")
        let d = tensor(data, requiresGrad: true)
        d.min().backward()
        #expect(d.grad!.scalars == [0, 0, 0, 0.5, 0, 0, 0, 0.5])
    }


    @Test func argmaxArgmin() {
        let x = tensor([[0.1, 0.6, 0.6], [0.9, 0.2, 0.9]])
        #expect(x.argmax(dim: 1).toArray(as: Int64.self) == [1, 0])       // first occurrence
        #expect(x.argmin(dim: 0).toArray(as: Int64.self) == [0, 1, 0])
        #expect(x.argmax(dim: 1, keepDim: true).shape == [2, 1])
        #expect(x.argmax().item(as: Int.self) == 3 && x.argmax().shape == [])
        #expect(x.argmin().item(as: Int.self) == 0)
        #expect(x.t().argmax().item(as: Int.self) == 1)                    // flat index in the view's order
        #expect(Tensor.arange(6).reshape(2, 3).argmax(dim: 0).toArray(as: Int64.self) == [1, 1, 1])
    }

    @Test func accuracyReadsLikeTheNotes() {
        let yHat = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]), y = tensor([0, 2])
        #expect((yHat.argmax(dim: 1) == y).float().mean().item() == 0.5)
    }



    @Test func argmaxOfBoolFails() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = tensor([true, false]).argmax()
        }
        #expect(exitStderr(result).contains("argmax(): does not support bool input"))
    }

    @Test func maxDimOutOfRangeFails() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).max(dim: -3)
        }
        #expect(exitStderr(result).contains("Dimension out of range (expected to be in range of [-2, 1], but got -3)"))
    }
}

@Suite struct LogicalReductionTests {
    @Test func allAny() {
        let m = tensor([[true, false, true], [true, true, true]])
        #expect(m.all().item() == 0 && m.any().item() == 1 && m.all().dtype == .bool)
        #expect(m.all(dim: 1).scalars == [0, 1])
        #expect(m.any(dim: 0, keepDim: true).shape == [1, 3])
        #expect(m.t().all(dim: 0).scalars == [0, 1])
        // Numbers count as true when nonzero (NaN included); uint8 gives uint8, as in PyTorch.
        #expect(tensor([1.5, .nan]).all().item() == 1)
        #expect(tensor([0.0, 0.0]).any().item() == 0)
        #expect(Tensor([UInt8(1), 0], shape: [2]).all().dtype == .uint8)
        #expect(Tensor.zeros([0], dtype: .bool).all().item() == 1 && Tensor.zeros([0], dtype: .bool).any().item() == 0)
        #expect(Tensor.zeros([2, 0], dtype: .bool).all(dim: 1).scalars == [1, 1])
    }

    @Test func countNonzero() {
        let x = tensor([[0.0, 1.0, 2.0], [3.0, 0.0, 0.0]])
        #expect(x.countNonzero().item(as: Int.self) == 3 && x.countNonzero().dtype == .int64)
        #expect(x.countNonzero(dim: 1).toArray(as: Int64.self) == [2, 1])
    }
}
