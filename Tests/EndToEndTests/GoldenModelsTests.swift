// Whole-model parity with PyTorch (models.json): the notes' LeNet, MLP and small ResNet from their initial
// state dicts give PyTorch's train-mode logits, loss, gradients, updated running stats and eval logits.
import Foundation
import Testing
import EmberKit
import _EmberTestSupport

private let modelCases: [[String: Any]] = ((try? loadGoldenJSON("models.json"))?["models"] as? [[String: Any]]) ?? []

/// The Ember twin of each golden model, by name; an unknown name fails the suite.
func goldenModel(_ name: String) -> Module? {
    switch name {
    case "lenet_d2l": return lenet()
    case "mlp_784_256_10": return mlp()
    case "tiny_resnet_d2l_residual": return tinyResNet()
    default: return nil
    }
}

func stateDict(fromGolden any: Any?) -> StateDict {
    var sd = StateDict()
    for (k, v) in (any as? [String: Any]) ?? [:] { sd[k] = goldenTensor(v) }
    return sd
}

@Suite("ModelsGolden: models.json parity")
struct ModelsGoldenTests {
    @Test func modelsArePresentAndKnown() {
        #expect(!modelCases.isEmpty, "models.json not found in \(goldenDirectory.path)")
        for c in modelCases { #expect(goldenModel(c["name"] as! String) != nil, "unknown model \(c["name"]!)") }
    }

    @Test(arguments: modelCases.map { $0["name"] as! String })
    func parity(name: String) throws {
        let c = try #require(modelCases.first { $0["name"] as? String == name })
        let model = try #require(goldenModel(name))
        try model.loadStateDict(stateDict(fromGolden: c["initial_state_dict"]))
        model.train()
        let x = goldenTensor(c["input"]), y = goldenTensor(c["target"])
        let logits = model(x)
        #expect(closeness(logits, goldenTensor(c["logits"]), rtol: 1e-4, atol: 1e-5, label: "\(name) logits") == nil)
        let loss = F.crossEntropy(logits, y)
        let expectedLoss = (c["loss"] as! NSNumber).doubleValue
        #expect(Swift.abs(loss.item() - expectedLoss) <= 1e-4 * Swift.abs(expectedLoss), "\(name) loss \(loss.item()) vs \(expectedLoss)")
        loss.backward()
        let grads = (c["grads"] as? [String: Any]) ?? [:]
        let params = Dictionary(uniqueKeysWithValues: model.namedParameters())
        #expect(Set(grads.keys) == Set(params.keys), "\(name): parameter names differ from PyTorch's")
        for (k, v) in grads {
            guard let g = params[k]?.grad else { Issue.record("\(name): no gradient for \(k)"); continue }
            #expect(closeness(g, goldenTensor(v), rtol: 1e-4, atol: 1e-5, label: "\(name) grad \(k)") == nil)
        }
        // Running statistics after that forward.
        let after = model.stateDict()
        for (k, v) in (c["state_dict"] as? [String: Any]) ?? [:] {
            guard let t = after[k] else { Issue.record("\(name): state_dict lacks \(k)"); continue }
            #expect(closeness(t, goldenTensor(v), rtol: 1e-4, atol: 1e-5, label: "\(name) state \(k)") == nil)
        }
        model.eval()
        let evalLogits = noGrad { model(x) }
        #expect(closeness(evalLogits, goldenTensor(c["eval_logits_after_one_train_forward"]), rtol: 1e-4, atol: 1e-5, label: "\(name) eval logits") == nil)
    }
}
