// Whole-model parity with PyTorch (models.json): the notes' LeNet, MLP and small ResNet from their initial
// state dicts give PyTorch's train-mode logits, loss, gradients, updated running stats and eval logits.
import Foundation
import Testing
import EmberKit
import _EmberTestSupport

/// models.json's models, or the reason they cannot be read (reported by `modelsArePresentAndKnown`).
private let modelsLoad: Result<[[String: Any]], Error> = Result {
    guard let models = try loadGoldenJSON("models.json")["models"] as? [[String: Any]] else {
        throw GoldenFormatError("\(goldenDirectory.path)/models.json has no 'models' list")
    }
    return models
}
private let modelCases: [[String: Any]] = (try? modelsLoad.get()) ?? []

/// The Ember twin of each golden model, by name; an unknown name fails the suite.
func goldenModel(_ name: String) -> Module? {
    switch name {
    case "lenet_d2l": return lenet()
    case "mlp_784_256_10": return mlp()
    case "tiny_resnet_d2l_residual": return tinyResNet()
    default: return nil
    }
}

func stateDict(fromGolden any: Any?, _ what: String) throws -> StateDict {
    let entries = try #require(any as? [String: Any], "golden \(what): not an object of tensors")
    var sd = StateDict()
    for (k, v) in entries { sd[k] = try goldenTensor(v, "\(what) \(k)") }
    return sd
}

@Suite("ModelsGolden: models.json parity")
struct ModelsGoldenTests {
    @Test func modelsArePresentAndKnown() throws {
        let models = try modelsLoad.get()
        try #require(!models.isEmpty, "models.json in \(goldenDirectory.path) has no models")
        for (k, c) in models.enumerated() {
            guard let name = c["name"] as? String else { Issue.record("models.json model \(k) has no name"); continue }
            #expect(goldenModel(name) != nil, "unknown model \(name)")
        }
    }

    @Test(arguments: modelCases.compactMap { $0["name"] as? String })
    func parity(name: String) throws {
        let c = try #require(modelCases.first { $0["name"] as? String == name })
        let model = try #require(goldenModel(name))
        try model.loadStateDict(stateDict(fromGolden: c["initial_state_dict"], "\(name) initial_state_dict"))
        model.train()
        let x = try goldenTensor(c["input"], "\(name) input"), y = try goldenTensor(c["target"], "\(name) target")
        let expectedLogits = try goldenTensor(c["logits"], "\(name) logits")
        let expectedEvalLogits = try goldenTensor(c["eval_logits_after_one_train_forward"], "\(name) eval_logits_after_one_train_forward")
        let expectedLoss = try #require(c["loss"] as? NSNumber, "\(name): no loss").doubleValue
        let grads = try #require(c["grads"] as? [String: Any], "\(name): no grads object")
        let expectedState = try stateDict(fromGolden: c["state_dict"], "\(name) state_dict")
        let logits = model(x)
        #expect(closeness(logits, expectedLogits, rtol: 1e-4, atol: 1e-5, label: "\(name) logits") == nil)
        let loss = F.crossEntropy(logits, y)
        #expect(Swift.abs(loss.item() - expectedLoss) <= 1e-4 * Swift.abs(expectedLoss), "\(name) loss \(loss.item()) vs \(expectedLoss)")
        loss.backward()
        let params = Dictionary(uniqueKeysWithValues: model.namedParameters())
        #expect(Set(grads.keys) == Set(params.keys), "\(name): parameter names differ from PyTorch's")
        for (k, v) in grads {
            guard let g = params[k]?.grad else { Issue.record("\(name): no gradient for \(k)"); continue }
            #expect(closeness(g, try goldenTensor(v, "\(name) grad \(k)"), rtol: 1e-4, atol: 1e-5, label: "\(name) grad \(k)") == nil)
        }
        // Running statistics after that forward.
        let after = model.stateDict()
        for (k, v) in expectedState {
            guard let t = after[k] else { Issue.record("\(name): state_dict lacks \(k)"); continue }
            #expect(closeness(t, v, rtol: 1e-4, atol: 1e-5, label: "\(name) state \(k)") == nil)
        }
        model.eval()
        let evalLogits = noGrad { model(x) }
        #expect(closeness(evalLogits, expectedEvalLogits, rtol: 1e-4, atol: 1e-5, label: "\(name) eval logits") == nil)
    }
}
