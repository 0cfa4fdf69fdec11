// A small check of the Indexing golden evaluators against ops.json until the shared runner lands.
import Testing
import Ember
import _EmberTestSupport

@Suite struct GoldenIndexingSelfCheck {
    @Test func evaluatorsMatchPyTorch() throws {
        let root = try loadGoldenJSON("ops.json")
        let cases = (root["cases"] as! [[String: Any]]).filter { GoldenIndexingCases.all[$0["name"] as! String] != nil }
        #expect(cases.count == GoldenIndexingCases.all.count)
        for c in cases {
            let name = c["name"] as! String
            let grads = c["grads"] as? [String: Any] ?? [:]
            var inputs: [String: Tensor] = [:]
            for (k, v) in c["inputs"] as! [String: Any] {
                let t = goldenTensor(v)
                if grads[k] != nil { t.requiresGrad = true }
                inputs[k] = t
            }
            let outs = GoldenIndexingCases.all[name]!(inputs)
            let expected = (c["outputs"] as! [Any]).map(goldenTensor)
            #expect(outs.count == expected.count, "\(name): output count")
            for (k, (o, e)) in zip(outs, expected).enumerated() {
                #expect(o.dtype == e.dtype, "\(name) output \(k) dtype")
                #expect(closeness(o, e, label: "\(name) output \(k)") == nil)
            }
            guard !grads.isEmpty else { continue }
            let upstream = (c["upstream"] as! [Any]).map(goldenTensor)
            let floating = outs.filter { $0.dtype.isFloatingPoint }
            let loss = zip(floating, upstream).map { ($0 * $1).sum() }.reduce(Tensor.zeros([])) { $0 + $1 }
            loss.backward()
            for (k, g) in grads {
                #expect(closeness(inputs[k]!.grad ?? Tensor.zeros(inputs[k]!.shape), goldenTensor(g), label: "\(name) grad \(k)") == nil)
            }
        }
    }
}
