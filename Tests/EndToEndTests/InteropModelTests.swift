// Real torch.save files loaded into Ember's models reproduce PyTorch's eval-mode logits (interop/NAME_io.pt).
import Foundation
import Testing
import EmberKit
import _EmberTestSupport

@Suite("InteropGolden: PyTorch checkpoints drive Ember models")
struct InteropGoldenTests {
    /// The three models the format's `interop/` holds (`NAME.pt`, `NAME.safetensors`, `NAME_io.pt`).
    static let models = ["lenet_d2l", "mlp_784_256_10", "tiny_resnet_d2l_residual"]
    static var dir: URL { goldenDirectory.appendingPathComponent("interop") }

    /// Every `NAME_io.pt` the directory holds is one this suite runs (an unknown model fails here).
    @Test func everyModelFileIsKnown() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.dir.path).filter { $0.hasSuffix("_io.pt") }
        try #require(!files.isEmpty, "\(Self.dir.path) holds no NAME_io.pt file")
        for file in files {
            #expect(Self.models.contains(String(file.dropLast("_io.pt".count))), "\(file): a model no Ember test runs")
        }
    }

    @Test(arguments: models, [".pt", ".safetensors"])
    func evalLogitsMatch(name: String, ext: String) throws {
        let dir = Self.dir
        let model = try #require(goldenModel(name))
        try model.loadStateDict(try loadStateDict(from: dir.appendingPathComponent(name + ext)))
        model.eval()
        let io = try loadStateDict(from: dir.appendingPathComponent(name + "_io.pt"))
        let x = try #require(io["input"]), expected = try #require(io["eval_logits"])
        let logits = noGrad { model(x) }
        #expect(closeness(logits, expected, rtol: 1e-4, atol: 1e-5, label: "\(name)\(ext) eval logits") == nil)
    }

    @Test func emberCheckpointRoundTripKeepsPredictions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        manualSeed(1)
        let a = tinyResNet(), b = tinyResNet()
        a.train(); _ = a(Tensor.randn([4, 1, 28, 28]))   // move the running stats away from their initial values
        let url = dir.appendingPathComponent("tiny.pt")
        try save(a.stateDict(), to: url)
        try b.loadStateDict(try loadStateDict(from: url))
        a.eval(); b.eval()
        let x = Tensor.randn([2, 1, 28, 28])
        #expect(noGrad { a(x) }.scalars == noGrad { b(x) }.scalars)
    }
}
