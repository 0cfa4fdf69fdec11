// The notes' chapter 2 (preliminaries): creating tensors, operations, broadcasting, indexing, saving memory,
// views, `.npy` files and a first gradient.
import Foundation
import EmberKit

/// What `runTensorBasics` printed, for the tests to check against the notes.
struct TensorBasicsResult {
    /// `Tensor.arange(12).reshape(3, 4)`: the shape and the number of elements.
    var reshapedShape: [Int], numel: Int
    /// `x + y`, `x * y`, `x.pow(y)` for x = [1, 2, 4, 8], y = [2, 2, 2, 2] (section 2.1.2).
    var sum: [Double], product: [Double], power: [Double]
    /// `Tensor.cat([X, Y], dim: 0)` and `dim: 1` shapes.
    var catShapes: [[Int]]
    /// `a + b` for a: 3×1 and b: 1×2, broadcast to 3×2 (section 2.1.3).
    var broadcastShape: [Int], broadcast: [Double]
    /// `X[-1]`, `X[1..<3]` and the strided slice `X[1..., .slice(step: 2)]` (Python's `X[1:, ::2]`).
    var lastRow: [Double], rows1to3: [Double], stridedSlice: [Double], stridedSliceShape: [Int]
    /// `X` after `X[1, 2] = 17` and `X[0..<2, .all] = 12`.
    var afterAssignment: [Double]
    /// A view shares memory: writing through `X.view(...)` or `X[1]` changes `X`.
    var viewWriteChangesBase: Bool, rowWriteChangesBase: Bool
    /// `Y = Y + X` makes a new tensor; `X += Y` writes into X's own storage (section 2.1.5).
    var plusMakesNewTensor: Bool, inPlaceKeepsStorage: Bool
    /// `.npy` round trip: the loaded tensor has the same dtype, shape and values.
    var npyRoundTripEqual: Bool
    /// Autograd (section 2.5): y = 2 xᵀx for x = [0, 1, 2, 3]; dy/dx = 4x.
    var y: Double, grad: [Double]
}

/// Runs the notes' chapter 2 tensor tour, printing each step.
func runTensorBasics() throws -> TensorBasicsResult {
    // 2.1.1 Getting started: a range, its shape, a reshape, constant and random tensors.
    let x = Tensor.arange(12, dtype: .float32)
    print("x =", x)
    print("x.numel =", x.numel, " x.shape =", x.shape)
    let X = x.reshape(3, 4)
    print("X = x.reshape(3, 4) =", X)
    print("zeros(2, 3, 4):", Tensor.zeros(2, 3, 4).shape, " ones:", Tensor.ones(2, 3, 4).shape)
    print("randn(3, 4) =", Tensor.randn(3, 4))
    print("from nested arrays:", tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]]))

    // 2.1.2 Operations: elementwise arithmetic, concatenation, comparison, sum.
    let a = tensor([1.0, 2, 4, 8]), b = tensor([2.0, 2, 2, 2])
    let sum = a + b, product = a * b, power = a.pow(b)
    print("x + y =", sum)
    print("x - y =", a - b)
    print("x * y =", product)
    print("x / y =", a / b)
    print("x ** y =", power)
    print("exp(x) =", a.exp())
    let Y = tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    let cat0 = Tensor.cat([X, Y], dim: 0), cat1 = Tensor.cat([X, Y], dim: 1)
    print("cat dim 0:", cat0.shape, " cat dim 1:", cat1.shape)
    print("X == Y:", X == Y)
    print("X.sum() =", X.sum())

    // 2.1.3 Broadcasting: a 3×1 and a 1×2 tensor add up to 3×2.
    let col = Tensor.arange(3).reshape(3, 1), row = Tensor.arange(2).reshape(1, 2)
    let broadcast = col + row
    print("a + b (broadcast) =", broadcast)

    // 2.1.4 Indexing and slicing. Python's X[-1], X[1:3], X[1:, ::2].
    let lastRow = X[-1], rows1to3 = X[1..<3]
    let strided = X[1..., .slice(step: 2)]
    print("X[-1] =", lastRow)
    print("X[1..<3] =", rows1to3)
    print("X[1..., .slice(step: 2)] =", strided)
    // Writing through the subscript: Python's X[1, 2] = 17 and X[:2, :] = 12. Work on a copy to keep X.
    let Z = X.clone()
    Z.set(1, 2, to: 17)
    print("after Z[1, 2] = 17:", Z)
    Z.set(0..<2, .all, to: 12)
    print("after Z[0..<2, .all] = 12:", Z)

    // Views share memory with their base: write into the view, read the change in the base.
    let base = Tensor.arange(6, dtype: .float32)
    let view = base.view(2, 3)
    view.set(1, 0, to: 100)                 // element 3 of `base`
    let viewWriteChangesBase = base[3].item() == 100
    let secondRow = view[1]                 // a view of a view
    secondRow.set(2, to: -1)                // element 5 of `base`
    let rowWriteChangesBase = base[5].item() == -1
    print("base after writing through views:", base)

    // 2.1.5 Saving memory: `Y = Y + X` makes a new tensor; `X += Y` writes into X's storage.
    var y = Y
    let before = ObjectIdentifier(y)
    y = y + X
    let plusMakesNewTensor = ObjectIdentifier(y) != before
    let target = X.clone()
    let address = target.pointer(as: Float.self)
    target += Y
    let inPlaceKeepsStorage = target.pointer(as: Float.self) == address
    print("Y = Y + X is a new tensor: \(plusMakesNewTensor); X += Y keeps X's memory: \(inPlaceKeepsStorage)")

    // Saving and loading: `.npy` files read by NumPy's np.load (and written by np.save).
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ember-basics-\(UUID().uuidString).npy")
    defer { try? FileManager.default.removeItem(at: url) }
    try X.saveNpy(to: url)
    let loaded = try Tensor.loadNpy(from: url)
    let npyRoundTripEqual = loaded.dtype == X.dtype && loaded.shape == X.shape && loaded.scalars == X.scalars
    print("loaded from .npy:", loaded)

    // 2.5 Automatic differentiation: y = 2 xᵀx, so dy/dx = 4x.
    let v = Tensor.arange(0.0, 4.0).requiresGrad_()
    let out = 2 * v.dot(v)
    out.backward()
    print("x = \(v.detach()), y = 2 * x.dot(x) = \(out.item()), x.grad = \(v.grad!)")
    print("x.grad == 4 * x:", v.grad! == 4 * v.detach())

    return TensorBasicsResult(
        reshapedShape: X.shape, numel: x.numel,
        sum: sum.scalars, product: product.scalars, power: power.scalars,
        catShapes: [cat0.shape, cat1.shape],
        broadcastShape: broadcast.shape, broadcast: broadcast.scalars,
        lastRow: lastRow.scalars, rows1to3: rows1to3.scalars, stridedSlice: strided.scalars, stridedSliceShape: strided.shape,
        afterAssignment: Z.scalars,
        viewWriteChangesBase: viewWriteChangesBase, rowWriteChangesBase: rowWriteChangesBase,
        plusMakesNewTensor: plusMakesNewTensor, inPlaceKeepsStorage: inPlaceKeepsStorage,
        npyRoundTripEqual: npyRoundTripEqual,
        y: out.item(), grad: v.grad!.scalars)
}
