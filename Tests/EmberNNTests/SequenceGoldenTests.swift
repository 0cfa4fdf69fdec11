// Parity with PyTorch on text.json: every sequence module's outputs and gradients, d2l's positional encoding,
// and d2l's two character-LM training trajectories.
import Testing
import Foundation
import Ember
import EmberNN
import _EmberTestSupport

@Suite("SequenceGolden")
struct SequenceGoldenTests {
    static let json: [String: Any] = loadTextGolden()

    /// text.json as Python's `json` writes it: bare `Infinity`/`-Infinity`/`NaN` (the causal float masks) are
    /// turned into the strings `goldenTensor` reads before JSONSerialization sees them.
    static func loadTextGolden() -> [String: Any] {
        guard let raw = try? String(contentsOf: goldenDirectory.appendingPathComponent("text.json"), encoding: .utf8) else { return [:] }
        let text = raw.replacingOccurrences(of: "-Infinity", with: "\"-inf\"")
            .replacingOccurrences(of: " Infinity", with: " \"inf\"").replacingOccurrences(of: "[Infinity", with: "[\"inf\"")
            .replacingOccurrences(of: " NaN", with: " \"nan\"").replacingOccurrences(of: "[NaN", with: "[\"nan\"")
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }
    static let modules: [String: [String: Any]] = {
        var byName: [String: [String: Any]] = [:]
        for c in json["modules"] as? [[String: Any]] ?? [] { if let n = c["name"] as? String { byName[n] = c } }
        return byName
    }()
    /// Every case name the golden file lists: a name with no entry in `SequenceGoldenCases.all` fails.
    static let caseNames: [String] = (json["modules"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }

    /// Short sums (≤ 16 terms per dot product here) in float32: a few ulps.
    static let rtol = 1e-5, atol = 1e-6
    /// Gradients: the cases are small (≤ 5 steps, ≤ 16 hidden), so the short-sum tolerance holds for them too.
    static let gradRtol = 1e-5, gradAtol = 1e-6

    func check(_ actual: Tensor, _ expected: Tensor, rtol: Double, atol: Double, _ label: String) {
        if let bad = closeness(actual.detach(), expected, rtol: rtol, atol: atol, label: label) { Issue.record(Comment(rawValue: bad)) }
    }

    @Test func goldenFileHasCases() {
        #expect(Self.caseNames.count >= 18, "text.json lists \(Self.caseNames.count) module cases")
    }

    @Test(arguments: caseNames)
    func moduleMatchesPyTorch(_ name: String) throws {
        let golden = try #require(Self.modules[name])
        let entry = try #require(SequenceGoldenCases.all[name], "SequenceGoldenCases.all has no case named \(name)")
        let module = entry.build()
        var sd = StateDict()
        for (k, v) in golden["state_dict"] as? [String: Any] ?? [:] { sd[k] = try goldenTensor(v) }
        if let m = module {
            // Same keys as PyTorch's state_dict (strict load: nothing missing, nothing unexpected).
            try m.loadStateDict(sd)
        } else {
            #expect(sd.keys.isEmpty)
        }
        let gradInputs = golden["input_grads"] as? [String: Any] ?? [:]
        var inputs: [String: Tensor] = [:]
        for (k, v) in golden["inputs"] as? [String: Any] ?? [:] {
            let t = try goldenTensor(v)
            if gradInputs[k] != nil { t.requiresGrad = true }
            inputs[k] = t
        }
        let outputs = entry.run(module, inputs)
        let expected = try (golden["outputs"] as? [Any] ?? []).map { try goldenTensor($0) }
        try #require(outputs.count == expected.count, "\(name): \(outputs.count) outputs, expected \(expected.count)")
        for (i, (o, e)) in zip(outputs, expected).enumerated() { check(o, e, rtol: Self.rtol, atol: Self.atol, "\(name) output \(i)") }
        let upstream = try (golden["upstream"] as? [Any] ?? []).map { try goldenTensor($0) }
        try #require(upstream.count == outputs.count)
        let loss = zip(outputs, upstream).map { ($0 * $1).sum() }.reduce(Tensor(scalar: 0)) { $0 + $1 }
        loss.backward()
        for (k, v) in gradInputs {
            let g = try #require(inputs[k]?.grad, "\(name): input \(k) got no gradient")
            check(g, try goldenTensor(v), rtol: Self.gradRtol, atol: Self.gradAtol, "\(name) grad \(k)")
        }
        let params = Dictionary(uniqueKeysWithValues: module?.namedParameters() ?? [])
        let paramGrads = golden["param_grads"] as? [String: Any] ?? [:]
        #expect(Set(paramGrads.keys) == Set(params.keys), "\(name): parameters \(params.keys.sorted()) vs golden \(paramGrads.keys.sorted())")
        for (k, v) in paramGrads {
            let g = try #require(params[k]?.grad, "\(name): parameter \(k) got no gradient")
            check(g, try goldenTensor(v), rtol: Self.gradRtol, atol: Self.gradAtol, "\(name) grad \(k)")
        }
    }

    /// The first case's module is built right after `torch.manual_seed(0)`: the same seed gives the same weights.
    @Test func recurrentInitMatchesPyTorchAfterManualSeed() throws {
        let golden = try #require(Self.modules["rnn_tanh_2layer"])
        // A generator of its own seeded as torch.manual_seed(0): tests run in parallel and may draw from the global one.
        let rnn = withGenerator(Generator(seed: 0)) { RNN(4, 6, numLayers: 2) }
        let sd = rnn.stateDict()
        #expect(sd.keys == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"])
        for (k, v) in golden["state_dict"] as? [String: Any] ?? [:] {
            check(try #require(sd[k]), try goldenTensor(v), rtol: 0, atol: 0, "init \(k)")
        }
    }

    @Test func positionalEncodingTable() throws {
        let pe = try #require(Self.json["positional_encoding"] as? [String: Any])
        let expected = try goldenTensor(pe["P"])
        let layer = PositionalEncoding(32, dropout: 0, maxLen: 60)
        check(layer.P, expected, rtol: 1e-5, atol: 2e-6, "P")
        check(layer(Tensor.zeros([1, 60, 32])), expected, rtol: 1e-5, atol: 2e-6, "forward")
    }

    /// d2l's RNNModel (one-hot → GRU/LSTM 16 → Linear 28), SGD lr 1 with clip_grad_norm_(1), state carried and detached.
    @Test(arguments: ["char_lm_gru", "char_lm_lstm"])
    func characterLanguageModelTrajectory(_ name: String) throws {
        let list = Self.json["trajectories"] as? [[String: Any]] ?? []
        let golden = try #require(list.first { $0["name"] as? String == name })
        let isGRU = name.hasSuffix("gru")
        let rnn: RecurrentBase = isGRU ? GRU(28, 16) : LSTM(28, 16)
        let linear = Linear(16, 28)
        let model = Sequential([rnn, linear])    // only to hold the parameters under d2l's names below
        var sd = StateDict()
        for (k, v) in golden["initial_state_dict"] as? [String: Any] ?? [:] {
            sd[k.replacingOccurrences(of: "rnn.", with: "0.").replacingOccurrences(of: "linear.", with: "1.")] = try goldenTensor(v)
        }
        try model.loadStateDict(sd)
        let losses = golden["losses"] as? [Double] ?? [], norms = golden["grad_norms_before_clip"] as? [Double] ?? []
        var h: Tensor? = nil, c: Tensor? = nil
        for (step, batch) in (golden["batches"] as? [[String: Any]] ?? []).enumerated() {
            let x = try goldenTensor(batch["X"]), y = try goldenTensor(batch["Y"])
            let input = Tensor.oneHot(x.t(), numClasses: 28).float()          // [T, B, 28]
            let out: Tensor
            if isGRU {
                let r = (rnn as! GRU)(input, h); out = r.output; h = r.hN.detach()
            } else {
                let r = (rnn as! LSTM)(input, h.flatMap { hh in c.map { (hh, $0) } })
                out = r.output; h = r.state.h.detach(); c = r.state.c.detach()
            }
            let logits = linear(out.reshape([-1, 16]))
            let loss = F.crossEntropy(logits, y.t().reshape([-1]))
            model.zeroGrad()
            loss.backward()
            let norm = clipGradNorm_(model.parameters(), maxNorm: 1)
            #expect(Swift.abs(loss.item() - losses[step]) <= 1e-5 * Swift.abs(losses[step]), "\(name) step \(step): loss \(loss.item()) vs \(losses[step])")
            #expect(Swift.abs(norm.item() - norms[step]) <= 1e-5 * Swift.abs(norms[step]), "\(name) step \(step): grad norm \(norm.item()) vs \(norms[step])")
            noGrad { for p in model.parameters() { p -= p.grad! } }
        }
        let final = model.stateDict()
        for (k, v) in golden["final_state_dict"] as? [String: Any] ?? [:] {
            let key = k.replacingOccurrences(of: "rnn.", with: "0.").replacingOccurrences(of: "linear.", with: "1.")
            check(try #require(final[key]), try goldenTensor(v), rtol: 1e-5, atol: 1e-6, "\(name) final \(k)")
        }
    }
}
