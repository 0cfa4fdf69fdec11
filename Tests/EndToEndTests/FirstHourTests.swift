// A PyTorch user's first hour (issue 15): the notes' small programs written the way a PyTorch user first
// guesses them, checked against PyTorch's documented output or hand derivations.
import Foundation
import Testing
import EmberKit
import _EmberTestSupport

@Suite("First hour")
struct FirstHourTests {
    /// The notes' `b = a.numpy(); a += 1` — the Swift buffer sees the change, and writes through it are seen back.
    @Test func memorySharedWithSwift() {
        let a = Tensor.arange(3).float()
        a.withUnsafeBufferPointer(as: Float.self) { b in
            a += 1
            #expect(Array(b) == [1, 2, 3])
        }
        a.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 10 }
        #expect(a.scalars == [10, 2, 3])
        var values: [Float] = [1, 2, 3, 4]
        values.withUnsafeMutableBufferPointer { p in
            let t = Tensor(sharing: p, shape: [2, 2])
            t += 1
        }
        #expect(values == [2, 3, 4, 5])
    }

    /// `writer.add_scalar("y=4x", 4 * i, i)` with Python ints, a Float, and images by enum or from an `Image`.
    @Test func tensorBoardTakesAnyNumberAndImages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-first-hour-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try SummaryWriter(logDir: dir, flushSeconds: 0)
        for i in 0..<3 { writer.addScalar("y=4x", 4 * i, step: i) }
        writer.addScalar("float", Float(0.5), step: 0)
        writer.addScalar("int32", Int32(7), step: 0)
        writer.addImage("hwc", Tensor.zeros([4, 5, 3]), dataFormat: .hwc)
        writer.addImage("photo", Image(width: 5, height: 4, mode: .rgb, fill: 200))
        writer.addImage("gray", Image(width: 5, height: 4, mode: .gray, fill: 7))
        try writer.close()
        let size = try FileManager.default.attributesOfItem(atPath: writer.eventFilePath)[.size] as? Int ?? 0
        #expect(size > 0)
    }

    /// The book's `corr2d` example with integer tensors: PyTorch prints `tensor([[[[19, 25], [37, 43]]]])`.
    @Test func integerConvolution() {
        let X = Tensor.arange(9).reshape(1, 1, 3, 3), K = Tensor([Int64(0), 1, 2, 3], shape: [1, 1, 2, 2])
        let Y = F.conv2d(X, K)
        #expect(Y.dtype == .int64 && Y.toArray(as: Int64.self) == [19, 25, 37, 43])
        #expect("\(Y)".contains("[[[[19, 25],"))
    }

    /// `x[t]` with a 0-d integer tensor is `x[t.item()]`: a view, as in PyTorch.
    @Test func zeroDimensionalIntegerTensorIndexes() {
        let t = Tensor.arange(5).float()
        let y = t[Tensor(scalar: 1, dtype: .int64)]
        #expect(y.shape == [] && y.item() == 1)
        y += 10
        #expect(t.scalars == [0, 11, 2, 3, 4])
        let m = Tensor.arange(6).reshape(2, 3)
        #expect(m[Tensor(scalar: 1, dtype: .int64), Tensor(scalar: 2, dtype: .int64)].item() == 5)
        // A 0-d uint8 (or bool) tensor is a mask, not a position: PyTorch gives shape [1, 5] for both.
        #expect(t[Tensor(scalar: 1, dtype: .uint8)].shape == [1, 5])
        #expect(t[Tensor(scalar: 1, dtype: .bool)].shape == [1, 5])
    }

    /// `4.2 - x` records `RsubBackward1`, and grad_fn prints as PyTorch's `<RsubBackward1 object at 0x…>`.
    @Test func namesAndPrinting() {
        let x = Tensor.ones([2]).requiresGrad_(true)
        let y = 4.2 - x
        #expect(y.gradFn?.name == "RsubBackward1")
        #expect("\(y.gradFn!)".hasPrefix("<RsubBackward1 object at 0x"))
        y.sum().backward()
        #expect(x.grad?.scalars == [-1, -1])
        #expect("\(Image(width: 768, height: 512, mode: .rgb))" == "<Image mode=RGB size=768x512>")
    }

    /// d2l's Accumulator is a class: handed to a helper, the helper's additions are seen by the caller.
    @Test func accumulatorIsShared() {
        let metric = Accumulator(2)
        func record(_ m: Accumulator) { m.add(3, 1) }
        record(metric)
        record(metric)
        #expect(metric[0] == 6 && metric[1] == 2)
    }

    /// A misspelt member of a module seen as `Module` says what the module has.
    @Test func misspeltMemberSaysWhatTheModuleHas() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let lin: Module = Linear(2, 3)
            _ = lin.weihgt
        } .map { String(decoding: $0.standardErrorContent, as: UTF8.self) }.map { text in
            #expect(text.contains("Linear has no parameter or buffer 'weihgt' (it has: weight, bias); did you mean 'weight'?"))
        }
    }
}
