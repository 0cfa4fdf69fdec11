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
}
