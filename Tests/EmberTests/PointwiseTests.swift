// Fused pointwise ops (add/sub with alpha, lerp, addcmul, addcdiv): PyTorch's roundings, gradients, misuse.
import Testing
import Ember
import EmberKernels
import _EmberTestSupport

/// The formulas of PyTorch's CPU kernels, element by element with Swift's exact fused multiply-add
/// (`addingProduct`), read off ATen (ufunc/add.h, Lerp.h, PointwiseOpsKernel.cpp) and checked against torch
/// 2.13 on 100,000 random elements per op: a reference independent of the C kernels under test.
private enum Reference {
    static func axpy(_ s: Float, _ a: Float, _ c: Float) -> Float { s.addingProduct(a, c) }
    static func lerp(_ s: Float, _ e: Float, _ w: Float) -> Float {
        Swift.abs(w) < 0.5 ? s.addingProduct(w, e - s) : e.addingProduct(w - 1, e - s)
    }
    static func addcmul(_ s: Float, _ a: Float, _ b: Float, _ v: Float) -> Float { s.addingProduct(v * a, b) }
    static func addcdiv(_ s: Float, _ a: Float, _ b: Float, _ v: Float) -> Float { s + (v * a) / b }
}

/// How many elements differ (a count keeps a failure's message short).
private func mismatches(_ a: [Float], _ b: [Float]) -> Int {
    a.count == b.count ? zip(a, b).filter { $0 != $1 }.count : Swift.max(a.count, b.count)
}

@Suite("Fused pointwise ops")
struct PointwiseTests {
    /// Random float32 operands of `n` elements (b kept away from zero for addcdiv).
    private func operands(_ n: Int) -> (s: [Float], a: [Float], b: [Float]) {
        withGenerator(Generator(seed: 7)) {
            (Tensor.randn([n]).toArray(as: Float.self), Tensor.randn([n]).toArray(as: Float.self), (Tensor.rand([n]) + 0.5).toArray(as: Float.self))
        }
    }

    @Test("a fused multiply-add rounds once: -1 + (1 + 2⁻¹²)² is 2⁻¹¹ + 2⁻²⁴, not 2⁻¹¹")
    func roundsOnce() {
        let x = Float(1) + Float(1) / 4096
        // (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴ exactly; a separate multiply rounds away the 2⁻²⁴.
        let expected = Float(1) / 2048 + Float(1) / 16_777_216
        #expect(Tensor([Float(-1)]).add(Tensor([x]), alpha: Double(x)).toArray(as: Float.self) == [expected])
        #expect(Tensor([Float(-1)]).addcmul(Tensor([x]), Tensor([x])).toArray(as: Float.self) == [expected])
        let inPlace = Tensor([Float(-1)])
        inPlace.add_(Tensor([x]), alpha: Double(x))
        #expect(inPlace.toArray(as: Float.self) == [expected])
        // float64 rounds once too: -1 + (1 + 2⁻²⁷)² = 2⁻²⁶ + 2⁻⁵⁴.
        let d = 1 + 1 / Double(1 << 27)
        #expect(Tensor([-1.0]).add(Tensor([d]), alpha: d).scalars == [1 / Double(1 << 26) + 1 / Double(1 << 54)])
    }

    @Test("every element matches PyTorch's formulas, on every kernel level and the strided path",
          arguments: [37, 100_003])
    func matchesFormulas(n: Int) {
        let (s, a, b) = operands(n)
        let (ts, ta, tb) = (Tensor(s), Tensor(a), Tensor(b))
        let cases: [(String, Tensor, [Float])] = [
            ("add", ts.add(ta, alpha: -0.1), (0..<n).map { Reference.axpy(s[$0], a[$0], Float(-0.1)) }),
            ("sub", ts.sub(ta, alpha: 0.3), (0..<n).map { Reference.axpy(s[$0], a[$0], Float(-0.3)) }),
            ("lerp 0.1", ts.lerp(ta, weight: 0.1), (0..<n).map { Reference.lerp(s[$0], a[$0], 0.1) }),
            ("lerp 0.9", ts.lerp(ta, weight: 0.9), (0..<n).map { Reference.lerp(s[$0], a[$0], 0.9) }),
            ("addcmul", ts.addcmul(ta, tb, value: 0.3), (0..<n).map { Reference.addcmul(s[$0], a[$0], b[$0], 0.3) }),
            ("addcdiv", ts.addcdiv(ta, tb, value: -0.7), (0..<n).map { Reference.addcdiv(s[$0], a[$0], b[$0], -0.7) }),
        ]
        for (name, got, expected) in cases {
            #expect(mismatches(got.toArray(as: Float.self), expected) == 0, "\(name), n = \(n)")
        }
        // The same through the portable kernels and through the per-element Swift loop (a strided view).
        for isa in KernelISA.available {
            var y = [Float](repeating: 0, count: n)
            VectorMath.fused(.addcmul, s, a, aStep: 1, b, bStep: 1, scalar: 0.3, &y, n, isa: isa)
            #expect(mismatches(y, cases[4].2) == 0, "addcmul on \(isa)")
        }
        // In place on a strided view (every other element): the per-element Swift loop.
        let pairs = Tensor(s.flatMap { [$0, 0] }).reshape(n, 2)
        pairs[0..., 0].addcmul_(ta, tb, value: 0.3)
        #expect(mismatches(pairs[0..., 0].toArray(as: Float.self), cases[4].2) == 0, "strided addcmul_")
        // The formulas are not the plain compositions (~10% of elements differ), so the checks above can fail.
        let composed = (ts + ta * tb * 0.3).toArray(as: Float.self)
        #expect(n < 1000 || zip(composed, cases[4].2).contains { $0 != $1 })
    }

    @Test("in-place forms match the reference formulas element by element, with broadcast operands")
    func inPlace() {
        let (s, a, b) = operands(24)
        let base = Tensor(s).reshape(4, 6), row = Tensor(Array(a[0..<6])), col = Tensor(Array(b[0..<4])).reshape(4, 1)
        /// The reference applied at (i, j) of the 4×6 result: s[i, j] with row[j] and col[i].
        func expected(_ f: (Float, Float, Float) -> Float) -> [Float] {
            (0..<24).map { f(s[$0], a[$0 % 6], b[$0 / 6]) }
        }
        let x = base.clone()
        x.addcmul_(row, col, value: 2)
        #expect(mismatches(x.toArray(as: Float.self), expected { Reference.addcmul($0, $1, $2, 2) }) == 0)
        let y = base.clone()
        y.addcdiv_(row, col, value: 0.5)
        #expect(mismatches(y.toArray(as: Float.self), expected { Reference.addcdiv($0, $1, $2, 0.5) }) == 0)
        let z = base.clone()
        z.lerp_(Tensor(scalar: 3), weight: 0.75)
        #expect(z.toArray(as: Float.self) == base.toArray(as: Float.self).map { Reference.lerp($0, 3, 0.75) })
        let w = base.clone()
        w.sub_(row, alpha: 0.25)
        #expect(mismatches(w.toArray(as: Float.self), expected { s, r, _ in Reference.axpy(s, r, -0.25) }) == 0)
        // An operand that is self itself (the same view) is read and written in place.
        let v = base.clone()
        v.addcmul_(v, v, value: 0.5)
        #expect(mismatches(v.toArray(as: Float.self), s.map { Reference.addcmul($0, $0, $0, 0.5) }) == 0)
    }

    @Test("operands overlapping self through other views are read before anything is written")
    func overlappingOperands() {
        // 200,000 written elements: the vectorized kernel splits them over threads.
        let n = 200_000
        let buffer = withGenerator(Generator(seed: 11)) { Tensor.randn([n + 2]) }
        let v = buffer.toArray(as: Float.self)
        let d = withGenerator(Generator(seed: 12)) { Tensor.rand([n]) + 0.5 }, dv = d.toArray(as: Float.self)
        // self is buffer[1 ..< n+1]; its neighbours buffer[0 ..< n] and buffer[2 ..< n+2] are the operands.
        let cases: [(String, (Tensor, Tensor, Tensor) -> Void, (Int) -> Float)] = [
            ("add_", { x, l, _ in x.add_(l, alpha: 0.5) }, { Reference.axpy(v[$0 + 1], v[$0], 0.5) }),
            ("sub_", { x, _, r in x.sub_(r, alpha: 0.75) }, { Reference.axpy(v[$0 + 1], v[$0 + 2], -0.75) }),
            ("lerp_", { x, l, _ in x.lerp_(l, weight: 0.3) }, { Reference.lerp(v[$0 + 1], v[$0], 0.3) }),
            ("addcmul_", { x, l, r in x.addcmul_(l, r, value: -0.5) }, { Reference.addcmul(v[$0 + 1], v[$0], v[$0 + 2], -0.5) }),
            ("addcdiv_", { x, l, _ in x.addcdiv_(l, d, value: 0.25) }, { Reference.addcdiv(v[$0 + 1], v[$0], dv[$0], 0.25) }),
        ]
        for (name, update, reference) in cases {
            let t = buffer.clone()
            update(t[1..<(n + 1)], t[0..<n], t[2..<(n + 2)])
            // The same update on copies of the operands, and the formulas on the original values.
            let onClones = buffer.clone()
            update(onClones[1..<(n + 1)], buffer[0..<n].clone(), buffer[2..<(n + 2)].clone())
            let got = t.toArray(as: Float.self)
            #expect(mismatches(got, onClones.toArray(as: Float.self)) == 0, "\(name) against cloned operands")
            #expect(mismatches(Array(got[1...n]), (0..<n).map(reference)) == 0, "\(name)")
            #expect(got[0] == v[0] && got[n + 1] == v[n + 1], "\(name) wrote outside self")
        }
        // A transposed view of self as operand (the per-element strided loop): m + 0.5·mᵀ.
        let side = 400
        let m0 = buffer[0..<(side * side)].reshape(side, side), mv = m0.toArray(as: Float.self)
        let m = m0.clone()
        m.add_(m.t(), alpha: 0.5)
        let expected = (0..<(side * side)).map { Reference.axpy(mv[$0], mv[($0 % side) * side + $0 / side], 0.5) }
        #expect(mismatches(m.toArray(as: Float.self), expected) == 0, "add_ of its own transpose")
    }

    @Test("mixed dtypes compute in the promoted type and round into self once")
    func mixedDtypesRoundOnce() {
        // float32 self 1, float64 g = 2⁻²³ + 2⁻⁴⁹, alpha 0.5. In float64, 1 + 0.5·g = 1 + 2⁻²⁴ + 2⁻⁵⁰ exactly,
        // just above the midpoint between 1 and 1 + 2⁻²³ (float32's spacing at 1): it rounds up to 1 + 2⁻²³.
        // Rounding g to float32 first gives 2⁻²³ (2⁻⁴⁹ is far below its half spacing), then 1 + 2⁻²⁴ is
        // exactly the midpoint and rounds to even: 1.
        let g = Tensor([Double(sign: .plus, exponent: -23, significand: 1) + Double(sign: .plus, exponent: -49, significand: 1)])
        let p = Tensor([Float(1)])
        p.add_(g, alpha: 0.5)
        #expect(p.toArray(as: Float.self) == [1 + Float.ulpOfOne])
        let q = Tensor([Float(1)])
        q.sub_(-g, alpha: 0.5)
        #expect(q.toArray(as: Float.self) == [1 + Float.ulpOfOne])
        // float16 self 1, float32 t1 = 1 and t2 = 2⁻¹¹ + 2⁻²³. In float32, 1 + t1·t2 = 1 + 2⁻¹¹ + 2⁻²³ exactly,
        // above the midpoint 1 + 2⁻¹¹ between 1 and 1 + 2⁻¹⁰ (float16's spacing): it rounds to 1 + 2⁻¹⁰.
        // Rounding t2 to float16 first gives 2⁻¹¹, then 1 + 2⁻¹¹ is the midpoint and rounds to even: 1.
        let t1 = Tensor([Float(1)]), t2 = Tensor([Float(sign: .plus, exponent: -11, significand: 1) + Float.ulpOfOne])
        let h = Tensor([Float(1)]).to(.float16)
        h.addcmul_(t1, t2)
        #expect(h.dtype == .float16)
        #expect(h.scalars == [1 + 1.0 / 1024])
    }

    @Test("dtypes: float64 and float16 operands, integer add with an integral alpha")
    func dtypes() {
        let s = Tensor([1.0, 2.0, 3.0]), a = Tensor([0.5, 0.25, 0.125])
        #expect(s.addcmul(a, a, value: 4).scalars == [2.0, 2.25, 3.0625])
        #expect(s.to(.float16).lerp(a.to(.float16), weight: 0.5).dtype == .float16)
        #expect(s.to(.float16).lerp(a.to(.float16), weight: 0.5).scalars == [0.75, 1.125, 1.5625])
        #expect(Tensor([Int64(1), 2, 3]).add(Tensor([Int64(1), 1, 1]), alpha: 3).scalars == [4, 5, 6])
        // A float32 tensor with a float64 0-d operand stays float32, as PyTorch's result type says.
        #expect(Tensor([Float(1)]).addcdiv(Tensor(scalar: 2, dtype: .float64), Tensor(scalar: 4, dtype: .float64)).dtype == .float32)
    }

    @Test func inPlaceWithGradSourceStops() async {
        expectMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones([2]), g = Tensor.ones([2], requiresGrad: true)
            x.addcmul_(g, g)
        }, "addcmul_: writing a tensor that requires grad into another in place")
    }
}
