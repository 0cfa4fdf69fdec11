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

/// ops.json's cases, or the reason they cannot be read (reported by `everyCaseIsKnown`).
private let opsLoad: Result<[[String: Any]], Error> = Result {
    let root = try loadGoldenJSON("ops.json")
    guard let cases = root["cases"] as? [[String: Any]] else {
        throw GoldenFormatError("\(goldenDirectory.path)/ops.json has no 'cases' list")
    }
    return cases
}
private let opsCases: [[String: Any]] = (try? opsLoad.get()) ?? []

@Suite("CoreGolden: ops.json parity")
struct CoreGoldenTests {
    /// The file is present and every case in it (whatever the directory) is evaluated by some Ember test.
    @Test func everyCaseIsKnown() throws {
        let cases = try opsLoad.get()
        try #require(!cases.isEmpty, "ops.json in \(goldenDirectory.path) has no cases")
        for (k, c) in cases.enumerated() {
            guard let name = c["name"] as? String else { Issue.record("ops.json case \(k) has no name"); continue }
            #expect(coreGoldenEvaluators[name] != nil || goldenCasesEvaluatedInNN.contains(name),
                    "ops.json case '\(name)' is not evaluated by any Ember test")
        }
    }

    @Test(arguments: opsCases.compactMap { $0["name"] as? String }.filter { !goldenCasesEvaluatedInNN.contains($0) })
    func parity(name: String) throws {
        let c = try #require(opsCases.first { ($0["name"] as? String) == name })
        let evaluator = try #require(coreGoldenEvaluators[name], "no evaluator for \(name)")
        if let failure = try checkGoldenCase(name, c, evaluator) { Issue.record(Comment(rawValue: failure)) }
    }
}

/// Evaluates one case and compares outputs and input gradients with PyTorch's; nil when everything matches.
/// A missing or malformed tensor in the case throws (the test fails naming it).
func checkGoldenCase(_ name: String, _ c: [String: Any], _ evaluate: GoldenEvaluator) throws -> String? {
    let hasGrads = c["grads"] != nil
    var inputs: [String: Tensor] = [:]
    for (k, v) in (c["inputs"] as? [String: Any]) ?? [:] {
        let t = try goldenTensor(v, "ops.json \(name) input \(k)")
        if hasGrads && t.dtype.isFloatingPoint { t.requiresGrad = true }
        inputs[k] = t
    }
    let expected = try ((c["outputs"] as? [Any]) ?? []).enumerated().map { try goldenTensor($1, "ops.json \(name) output \($0)") }
    let outputs = try evaluate(GoldenInputs(name, inputs))
    var failures: [String] = []
    if outputs.count != expected.count { return "\(name): \(outputs.count) outputs, PyTorch has \(expected.count)" }
    for (k, (o, e)) in zip(outputs, expected).enumerated() {
        if o.dtype.isFloatingPoint != e.dtype.isFloatingPoint || (!e.dtype.isFloatingPoint && o.dtype != e.dtype) {
            failures.append("\(name) output \(k): dtype \(o.dtype) vs PyTorch \(e.dtype)")
        }
        let tol = e.dtype == .float64 ? 1e-10 : 1e-5
        if let m = closeness(o, e, rtol: tol, atol: tol * 0.1, label: "\(name) output \(k)") { failures.append(m) }
    }
    if hasGrads {
        let upstream = try #require(c["upstream"] as? [Any], "ops.json \(name) has grads but no upstream list")
        let ups = try upstream.enumerated().map { try goldenTensor($1, "ops.json \(name) upstream \($0)") }
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
                let e = try goldenTensor(v, "ops.json \(name) grad \(k)")
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
