// bmm/matmul through the batched GEMM with batch strides that are not the usual ones (a permuted batch dimension,
// a broadcast A read at batch stride 0), and mm's gradients through transposed operands; checked against Double loops.
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

    @Test("mm's gradients through transposed operands: values by the definition, and a Linear weight's gradient contiguous",
          arguments: [DType.float32, .float64])
    func transposedOperandGradients(dtype: DType) {
        // y = x · wᵀ (a Linear layer) and z = aᵀ · b, both weighted by c before summing, so that
        // ∂w[j][p] = Σᵢ c[i][j]·x[i][p], ∂x[i][p] = Σⱼ c[i][j]·w[j][p], ∂a[p][i] = Σⱼ c[i][j]·b[p][j].
        let (m, k, n) = (9, 14, 11)
        let x = withGenerator(Generator(seed: 41)) { Tensor.randn([m, k]) }.to(dtype).requiresGrad_()
        let w = withGenerator(Generator(seed: 42)) { Tensor.randn([n, k]) }.to(dtype).requiresGrad_()
        let a = withGenerator(Generator(seed: 43)) { Tensor.randn([k, m]) }.to(dtype).requiresGrad_()
        let b = withGenerator(Generator(seed: 44)) { Tensor.randn([k, n]) }.to(dtype)
        let c = withGenerator(Generator(seed: 45)) { Tensor.randn([m, n]) }.to(dtype)
        ((x.mm(w.t()) * c).sum() + (a.t().mm(b) * c).sum()).backward()
        let xv = nested(x.unsqueeze(0))[0], wv = nested(w.unsqueeze(0))[0]
        let bv = nested(b.unsqueeze(0))[0], cv = nested(c.unsqueeze(0))[0]
        let dw = (0..<n).flatMap { j in (0..<k).map { p in (0..<m).reduce(0.0) { $0 + cv[$1][j] * xv[$1][p] } } }
        let dx = (0..<m).flatMap { i in (0..<k).map { p in (0..<n).reduce(0.0) { $0 + cv[i][$1] * wv[$1][p] } } }
        let da = (0..<k).flatMap { p in (0..<m).map { i in (0..<n).reduce(0.0) { $0 + cv[i][$1] * bv[p][$1] } } }
        let tolerance = dtype == .float32 ? 1e-5 : 1e-13
        #expect(worstError(w.grad!, dw) < tolerance)
        #expect(worstError(x.grad!, dx) < tolerance)
        #expect(worstError(a.grad!, da) < tolerance)
        // mm hands a transposed operand a gradient laid out like that operand, so the transpose's backward gives the
        // weight a contiguous gradient and accumulating it needs no transposing copy.
        let wt = w.t(), at = a.t()
        let grads = grad(of: [(x.mm(wt) * c).sum() + (at.mm(b) * c).sum()], with: [wt, at])
        #expect(grads[0]?.strides == wt.strides && grads[1]?.strides == at.strides)
    }
}
