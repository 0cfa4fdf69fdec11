// Arithmetic semantics: type promotion corners, bool arithmetic and `sumTo`; values from PyTorch 2.x.
import Testing
import Ember
import _EmberTestSupport

@Suite("Arithmetic semantics")
struct ArithmeticTests {
    @Test func promotionCorners() {
        let i32 = tensor([1, 2], dtype: .int32)
        #expect((i32 / tensor([2, 2], dtype: .int32)).dtype == .float32)
        #expect((i32 / tensor([2, 2], dtype: .int32)).scalars == [0.5, 1])
        #expect((tensor([1, 2], dtype: .uint8) + tensor([1, 2], dtype: .int8)).dtype == .int16)
        #expect((i32 + Tensor(scalar: 1.5, dtype: .float64)).dtype == .float64)
        #expect((i32 + Tensor(scalar: 3, dtype: .int64)).dtype == .int32)
        #expect((Tensor(scalar: 3, dtype: .int32) + Tensor(scalar: 3, dtype: .int64)).dtype == .int64)
        #expect((i32 * 2.5).dtype == .float32)
        #expect((i32 * 2.5).scalars == [2.5, 5])
        #expect((tensor([true]) + 1).dtype == .int64)
        #expect((tensor([true]) + 1.5).scalars == [2.5])
        #expect((tensor([1.0, 2.0], dtype: .float16) + Tensor(scalar: 3, dtype: .float32)).dtype == .float16)
        #expect((tensor([1, 2], dtype: .uint8) - 3).scalars == [254, 255])
        #expect((-tensor([1, 2], dtype: .uint8)).scalars == [255, 254])
    }
    @Test func boolArithmetic() {
        let a = tensor([true, false]), b = tensor([true, true])
        let s = a + b, p = a * b
        #expect(s.dtype == .bool && s.scalars == [1, 1])
        #expect(p.dtype == .bool && p.scalars == [1, 0])
        #expect((a / b).dtype == .float32 && (a / b).scalars == [1, 0])
    }
    @Test func sumToShapes() {
        let g = Tensor.ones([2, 3, 4])
        #expect(g.sumTo([3, 1]).shape == [3, 1] && g.sumTo([3, 1]).scalars == [8, 8, 8])
        #expect(g.sumTo([]).shape == [] && g.sumTo([]).item() == 24)
        #expect(g.sumTo([1, 4]).scalars == [6, 6, 6, 6])
        #expect(g.sumTo([1, 1, 1]).shape == [1, 1, 1])
    }
}
