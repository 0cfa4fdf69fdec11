// Parity with PyTorch on ops.json: every in-scope case's outputs and gradients, from EMBER_GOLDEN_DIR or the fixtures.
import Foundation
import Testing
import Ember
import _EmberTestSupport

/// Cases evaluated by the EmberNN suite (`FunctionalGolden`): conv, pooling, norms, losses, attention.
let goldenCasesEvaluatedInNN: Set<String> = [
    "cross_entropy", "cross_entropy_label_smoothing", "nll_loss", "bce", "bce_with_logits", "mse_l1_smoothl1",
    "conv2d_seed_example", "maxpool_ceil_mode", "conv2d_multichannel", "conv2d_1x1_and_5x5", "conv2d_dilation_groups",
    "conv_transpose2d", "conv1d", "pools", "adaptive_avg_pool", "interpolate_bilinear", "batch_norm_train",
    "batch_norm_eval", "batch_norm1d_running_stats", "layer_norm", "embedding", "scaled_dot_product_attention",
    "attention_causal",
]

let coreGoldenEvaluators: [String: GoldenEvaluator] = {
    var all = GoldenCoreCases.all
    for table in [GoldenIndexingCases.all, GoldenReductionCases.all, GoldenMiscCases.all] {
        all.merge(table) { a, _ in a }
    }
    return all
}()

private let opsCases: [[String: Any]] = {
    guard let root = try? loadGoldenJSON("ops.json"), let cases = root["cases"] as? [[String: Any]] else { return [] }
    return cases
}()

@Suite("CoreGolden: ops.json parity")
struct CoreGoldenTests {
    @Test func everyCaseIsKnown() {
        #expect(!opsCases.isEmpty, "ops.json not found in \(goldenDirectory.path)")
        for c in opsCases {
            let name = c["name"] as! String
            #expect(coreGoldenEvaluators[name] != nil || goldenCasesEvaluatedInNN.contains(name),
                    "ops.json case '\(name)' is not evaluated by any Ember test")
        }
    }

    @Test(arguments: opsCases.map { $0["name"] as! String }.filter { !goldenCasesEvaluatedInNN.contains($0) })
    func parity(name: String) throws {
        let c = try #require(opsCases.first { ($0["name"] as? String) == name })
        let evaluator = try #require(coreGoldenEvaluators[name], "no evaluator for \(name)")
        if let failure = checkGoldenCase(c, evaluator) { Issue.record(Comment(rawValue: failure)) }
    }
}

/// Evaluates one case and compares outputs and input gradients with PyTorch's; nil when everything matches.
func checkGoldenCase(_ c: [String: Any], _ evaluate: GoldenEvaluator) -> String? {
    let name = c["name"] as! String
    let hasGrads = c["grads"] != nil
    var inputs: [String: Tensor] = [:]
    for (k, v) in (c["inputs"] as? [String: Any]) ?? [:] {
        let t = goldenTensor(v)
        if hasGrads && t.dtype.isFloatingPoint { t.requiresGrad = true }
        inputs[k] = t
    }
    let expected = ((c["outputs"] as? [Any]) ?? []).map(goldenTensor)
    let outputs = evaluate(inputs)
    var failures: [String] = []
    if outputs.count != expected.count { return "\(name): \(outputs.count) outputs, PyTorch has \(expected.count)" }
    for (k, (o, e)) in zip(outputs, expected).enumerated() {
        if o.dtype.isFloatingPoint != e.dtype.isFloatingPoint || (!e.dtype.isFloatingPoint && o.dtype != e.dtype) {
            failures.append("\(name) output \(k): dtype \(o.dtype) vs PyTorch \(e.dtype)")
        }
        let tol = e.dtype == .float64 ? 1e-10 : 1e-5
        if let m = closeness(o, e, rtol: tol, atol: tol * 0.1, label: "\(name) output \(k)") { failures.append(m) }
    }
    if hasGrads, let upstream = c["upstream"] as? [Any] {
        let ups = upstream.map(goldenTensor)
        // PyTorch's upstream list has one tensor per output that requires grad.
        let differentiable = outputs.filter { $0.dtype.isFloatingPoint && $0.requiresGrad }
        if differentiable.count != ups.count { failures.append("\(name): \(differentiable.count) differentiable outputs, PyTorch has \(ups.count)") }
        var total: Tensor? = nil
        for (o, u) in zip(differentiable, ups) {
            let term = (o * u.to(o.dtype)).sum()
            total = total.map { $0 + term } ?? term
        }
        if let total = total {
            total.backward()
            for (k, v) in (c["grads"] as? [String: Any]) ?? [:] {
                let e = goldenTensor(v)
                guard let g = inputs[k]?.grad else { failures.append("\(name): no gradient for input \(k)"); continue }
                let tol = e.dtype == .float64 ? 1e-10 : 1e-5
                if let m = closeness(g, e, rtol: tol, atol: tol * 0.1, label: "\(name) grad \(k)") { failures.append(m) }
            }
        } else {
            failures.append("\(name): no output requires grad")
        }
    }
    return failures.isEmpty ? nil : failures.joined(separator: "\n")
}
