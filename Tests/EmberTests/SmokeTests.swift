import Testing
import Ember
import _EmberTestSupport

@Test func smokeArithmeticAndAutograd() {
    let x = Tensor.ones([2, 2]).requiresGrad_()
    let y = x + 2
    let z = y * y * 3
    let out = z.mean()
    out.backward()
    #expect(x.grad!.scalars == [4.5, 4.5, 4.5, 4.5])
    #expect(z.gradFn?.name == "MulBackward0")
}

@Test func smokeGradcheck() {
    let a = Tensor.randnStub([3, 4]), b = Tensor.randnStub([4, 2])
    #expect(gradcheck([a, b]) { $0[0].matmul($0[1]).tanh() } == nil)
}

extension Tensor {
    static func randnStub(_ shape: [Int]) -> Tensor {
        var s: UInt64 = 42
        return Tensor((0..<shape.reduce(1, *)).map { _ -> Double in s = s &* 6364136223846793005 &+ 1; return Double(s >> 11) / Double(1 << 53) - 0.5 }, shape: shape)
    }
}
