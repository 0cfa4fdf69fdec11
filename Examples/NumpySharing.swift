// The notes' "conversion to other objects" (sections 2.1/2.2): in PyTorch `b = a.numpy()` and
// `torch.from_numpy(a)` share memory, so changing one side changes the other; `a.tolist()` copies.
// In Swift the memory is seen through a scoped buffer pointer, a tensor can be laid over a Swift array,
// and `toArray()` copies.
import Foundation
import EmberKit

/// What `runNumpySharing` printed.
struct NumpySharingResult {
    /// `b = a.numpy(); a.add_(1)`: the elements seen through the buffer after the tensor changed (a = ones(5)).
    var bufferAfterTensorAdd: [Float]
    /// `b[0] = 10` through the mutable buffer: the tensor afterwards.
    var tensorAfterBufferWrite: [Double]
    /// A row view `X[1]` of `X = arange(6).reshape(2, 3)` written through its buffer: the base tensor afterwards.
    var baseAfterRowViewWrite: [Double]
    /// `b = torch.from_numpy(a); np.add(a, 1, out=a)`: a Swift array of ones changed in place, the tensor over it.
    var sharedTensorAfterArrayWrite: [Double]
    /// `t += 1` on the tensor over the array: the array afterwards.
    var arrayAfterTensorAdd: [Float]
    /// `copy = c.toArray(); c += 1` for c = ones(3): the copy afterwards (unchanged), and the tensor (moved on).
    var copyAfterAdd: [Float], tensorAfterAdd: [Double]
    /// `a = torch.tensor([3.5]); a.item(), float(a), int(a)`.
    var item: Double, itemAsInt: Int
}

/// Shares memory between tensors and Swift, then shows what copies.
func runNumpySharing() throws -> NumpySharingResult {
    // 1. A tensor's memory seen from Swift (`b = a.numpy()`): a buffer over the tensor's own elements.
    //    An in-place op on the tensor shows through the buffer...
    let a = Tensor.ones(5)
    let bufferAfterTensorAdd = a.withUnsafeBufferPointer(as: Float.self) { b -> [Float] in
        print("a =", a, " b =", Array(b))
        a += 1                                  // a.add_(1)
        print("after a += 1:  a =", a, " b =", Array(b))
        return Array(b)
    }
    //    ...and a write through the (mutable) buffer shows in the tensor.
    a.withUnsafeMutableBufferPointer(as: Float.self) { b in b[0] = 10 }
    print("after b[0] = 10 through the buffer: a =", a)
    let tensorAfterBufferWrite = a.scalars

    // A contiguous view has a buffer too: it is the base's memory, so writes land in the base.
    // (A non-contiguous view such as `X.t()` stops with a message: call `.contiguous()`, which copies.)
    let X = Tensor.arange(6, dtype: .float32).reshape(2, 3)
    X[1].withUnsafeMutableBufferPointer(as: Float.self) { row in
        for i in row.indices { row[i] *= 10 }
    }
    print("X after scaling row 1 through its buffer:", X)
    let baseAfterRowViewWrite = X.scalars

    // 2. A tensor over memory Swift owns (`b = torch.from_numpy(a)`): no copy, both sides see each write.
    //    The tensor is valid only inside the closure, while the array's buffer is.
    var values: [Float] = [1, 1, 1, 1, 1]
    var sharedTensorAfterArrayWrite: [Double] = []
    values.withUnsafeMutableBufferPointer { p in
        let t = Tensor(sharing: p, shape: [5])
        for i in p.indices { p[i] += 1 }        // np.add(a, 1, out=a)
        print("after adding 1 to the array: t =", t)
        sharedTensorAfterArrayWrite = t.scalars
        t += 1                                  // and the other way round
    }
    print("after t += 1: the array is", values)
    let arrayAfterTensorAdd = values

    // 3. `toArray()` copies (like `a.tolist()`): later writes to the tensor do not reach the array.
    let c = Tensor.ones(3)
    let copy = c.toArray()
    c += 1
    print("copy = c.toArray() =", copy, "; after c += 1: c =", c, " copy =", copy)

    // 4. A one-element tensor to a Swift number (`a.item(), float(a), int(a)`).
    let s = tensor([3.5])
    let item = s.item(), itemAsInt = s.item(as: Int.self)
    print(s, item, Float(item), itemAsInt)

    return NumpySharingResult(bufferAfterTensorAdd: bufferAfterTensorAdd, tensorAfterBufferWrite: tensorAfterBufferWrite,
                              baseAfterRowViewWrite: baseAfterRowViewWrite,
                              sharedTensorAfterArrayWrite: sharedTensorAfterArrayWrite, arrayAfterTensorAdd: arrayAfterTensorAdd,
                              copyAfterAdd: copy, tensorAfterAdd: c.scalars,
                              item: item, itemAsInt: itemAsInt)
}
