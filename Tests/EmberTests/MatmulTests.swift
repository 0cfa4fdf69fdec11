// bmm/matmul through the batched GEMM with batch strides that are not the usual ones: a permuted batch
// dimension, and a broadcast A read at batch stride 0. Checked against a plain triple loop in Double.
import Testing
import Ember

/// `a[batch][m][k] · b[batch][k][n]` by the definition, in Double, from nested arrays.
private func referenceProducts(_ a: [[[Double]]], _ b: [[[Double]]]) -> [Double] {
    var out: [Double] = []
    for (x, y) in zip(a, b) {
        for i in x.indices {
            for j in y[0].indices {
                var sum = 0.0
                for p in y.indices { sum += x[i][p] * y[p][j] }
                out.append(sum)
            }
        }
    }
    return out
}

/// The values of a 3-d tensor as nested arrays, read one element at a time through `item` (so through
/// the tensor's own strides, not through any kernel under test).
private func nested(_ t: Tensor) -> [[[Double]]] {
    (0..<t.shape[0]).map { i in (0..<t.shape[1]).map { j in (0..<t.shape[2]).map { k in t[i, j, k].item() } } }
}

private func worstError(_ got: Tensor, _ expected: [Double]) -> Double {
    let values = got.scalars
    guard values.count == expected.count else { return .infinity }
    return zip(values, expected).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
}

@Suite("Matmul with unusual batch strides")
struct MatmulTests {
    @Test("bmm with a permuted batch dimension (the batch stride is not the largest)", arguments: [DType.float32, .float64])
    func permutedBatch(dtype: DType) {
        // x is [m, batch, k] contiguous; x.permute(1, 0, 2) is [batch, m, k] with strides [k, batch·k, 1].
        let (batch, m, k, n) = (6, 9, 11, 7)
        let x = withGenerator(Generator(seed: 21)) { Tensor.randn([m, batch, k]) }.to(dtype)
        let y = withGenerator(Generator(seed: 22)) { Tensor.randn([n, batch, k]) }.to(dtype)
        let a = x.permute(1, 0, 2)                  // [batch, m, k], batch stride k
        let b = y.permute(1, 2, 0)                  // [batch, k, n], strides [k, 1, batch·k]
        #expect(a.strides == [k, batch * k, 1] && b.strides == [k, 1, batch * k])
        let expected = referenceProducts(nested(a), nested(b))
        let tolerance = dtype == .float32 ? 1e-5 : 1e-13
        let viaBmm = a.bmm(b), viaMatmul = a.matmul(b)
        #expect(viaBmm.shape == [batch, m, n] && viaBmm.dtype == dtype)
        #expect(worstError(viaBmm, expected) < tolerance)
        #expect(worstError(viaMatmul, expected) < tolerance)
    }

    @Test("matmul with a broadcast A: [1, m, k] and [m, k] against [batch, k, n]", arguments: [DType.float32, .float64])
    func broadcastA(dtype: DType) {
        let (batch, m, k, n) = (5, 8, 13, 10)
        let a = withGenerator(Generator(seed: 31)) { Tensor.randn([m, k]) }.to(dtype)
        let b = withGenerator(Generator(seed: 32)) { Tensor.randn([batch, k, n]) }.to(dtype)
        let aValues = nested(a.unsqueeze(0))[0]
        let expected = referenceProducts(Array(repeating: aValues, count: batch), nested(b))
        let tolerance = dtype == .float32 ? 1e-5 : 1e-13
        for product in [a.matmul(b), a.unsqueeze(0).matmul(b)] {
            #expect(product.shape == [batch, m, n])
            #expect(worstError(product, expected) < tolerance)
        }
        // B broadcast the other way round: [batch, m, k] against [k, n].
        let bOnce = b[0]
        let lhs = withGenerator(Generator(seed: 33)) { Tensor.randn([batch, m, k]) }.to(dtype)
        let expectedRight = referenceProducts(nested(lhs), Array(repeating: nested(bOnce.unsqueeze(0))[0], count: batch))
        #expect(worstError(lhs.matmul(bOnce), expectedRight) < tolerance)
    }
}
