// Checks the Reduction family's golden evaluators against ops.json (outputs and gradients) until the shared runner lands.
import Testing
import Ember
import _EmberTestSupport

@Suite struct GoldenReductionSelfCheck {
    static let names = ["sum_dims", "mean_keepdim_div", "cumsum", "prod", "max_min_dim", "argmax", "accuracy",
                        "var_std", "norms", "softmax_logsoftmax", "softmax_stability"]

    @Test(arguments: names) func goldenCase(_ name: String) throws {
        let root = try loadGoldenJSON("ops.json")
        let cases = root["cases"] as! [[String: Any]]
        let c = try #require(cases.first { $0["name"] as? String == name })
        let evaluator = try #require(GoldenReductionCases.all[name])
        let wantGrads = (c["grads"] as? [String: Any]) ?? [:]
        var inputs: [String: Tensor] = [:]
        for (k, v) in c["inputs"] as! [String: Any] {
            let t = goldenTensor(v)
            if wantGrads[k] != nil { t.requiresGrad = true }
            inputs[k] = t
        }
        let outs = evaluator(inputs)
        let expected = (c["outputs"] as! [Any]).map(goldenTensor)
        #expect(outs.count == expected.count)
        for (i, (o, e)) in zip(outs, expected).enumerated() {
            #expect(o.dtype == e.dtype, "\(name) output \(i) dtype")
            if e.dtype.isFloatingPoint {
                #expect(closeness(o, e, rtol: 1e-5, atol: 1e-6, label: "\(name) output \(i)") == nil)
            } else {
                #expect(o.shape == e.shape && o.scalars == e.scalars, "\(name) output \(i)")
            }
        }
        guard !wantGrads.isEmpty else { return }
        // Upstreams pair with the outputs that carry a gradient, in order.
        let upstream = (c["upstream"] as! [Any]).map(goldenTensor)
        let differentiable = outs.filter { $0.requiresGrad }
        #expect(differentiable.count == upstream.count)
        var total: Tensor? = nil
        for (o, u) in zip(differentiable, upstream) {
            let term = (o * u).sum()
            total = total.map { $0 + term } ?? term
        }
        let names = wantGrads.keys.sorted()
        let grads = grad(of: [total!], with: names.map { inputs[$0]! })
        for (k, g) in zip(names, grads) {
            #expect(closeness(try #require(g), goldenTensor(wantGrads[k]), rtol: 1e-5, atol: 1e-6, label: "\(name) grad \(k)") == nil)
        }
    }
}
