// torchvision's ResNet-18 with its 3×3 convolutions through Winograd: logits against the im2col path and PyTorch.
import Foundation
import Testing
import EmberKit
import EmberKernels
import _EmberTestSupport

@Suite("Winograd on ResNet-18")
struct WinogradResNetTests {
    /// zoo.json's torchvision_resnet18 (built after manual_seed(seed), input torch.rand([1, 3, 64, 64]) from seed + 1):
    /// its 3×3 layers run on 16×16 to 2×2 maps, every one of them through Winograd under `.always`, with each tile.
    @Test func logitsMatchTheDirectPathAndPyTorch() throws {
        let zoo = try loadGoldenJSON("zoo.json")
        let models = try #require(zoo["models"] as? [[String: Any]], "zoo.json has no models")
        let c = try #require(models.first { $0["name"] as? String == "torchvision_resnet18" })
        let golden = try #require(c["eval_logits"] as? [Double])
        let shape = try #require((c["input"] as? [String: Any])?["shape"] as? [Int])
        let seed = UInt64((zoo["seed"] as? NSNumber)?.intValue ?? 0)
        let entry = try #require(ModelZoo.entry("torchvision_resnet18"))
        let model = withGenerator(Generator(seed: seed)) { entry.build(golden.count) }
        model.eval()
        let x = Tensor.rand(shape, generator: Generator(seed: seed + 1))
        let direct = Winograd3x3.$policy.withValue(.never) { noGrad { model(x) } }
        let largest = direct.abs().max().item(as: Float.self)
        for tile in [Winograd3x3.Tile.f23, .f43] {
            let winograd = Winograd3x3.$policy.withValue(.always) {
                Winograd3x3.$forcedTile.withValue(tile) { noGrad { model(x) } }
            }
            let difference = (winograd - direct).abs().max().item(as: Float.self)
            #expect(difference <= 1e-4 * largest, "\(tile): logits differ by \(difference) (largest |logit| \(largest))")
            #expect(closeness(winograd, Tensor(golden, shape: [1, golden.count]), rtol: 0, atol: 1e-4,
                              label: "Winograd \(tile) ResNet-18 logits vs PyTorch") == nil)
        }
    }

    /// Every parameter's gradient with each 3×3 stride-1 convolution's forward, input gradient and weight gradient
    /// through Winograd, against the im2col path, within 1e-3 of its largest entry. Batch norm in eval mode: in
    /// training mode, two images on layer 4's 1×1 maps normalize two values per channel, which turns rounding-level
    /// differences into percent-level ones (the direct path against itself in another summation order would fail).
    @Test func gradientsMatchTheDirectPath() throws {
        let entry = try #require(ModelZoo.entry("torchvision_resnet18"))
        let model = withGenerator(Generator(seed: 7)) { entry.build(10) }
        model.eval()
        let x = Tensor.rand([2, 3, 32, 32], generator: Generator(seed: 8))
        let y = Tensor(Array([3, 7]), shape: [2])
        func gradients(_ policy: Winograd3x3.Policy) -> [Tensor] {
            for p in model.parameters() { p.grad = nil }
            Winograd3x3.$policy.withValue(policy) { F.crossEntropy(model(x), y).backward() }
            return model.parameters().map { $0.grad!.clone() }
        }
        let direct = gradients(.never)
        for tile in [Winograd3x3.Tile.f23, .f43] {
            let winograd = Winograd3x3.$forcedTile.withValue(tile) { gradients(.always) }
            #expect(winograd.count == direct.count)
            for (i, (w, d)) in zip(winograd, direct).enumerated() {
                let largest = d.abs().max().item(as: Float.self)
                let difference = (w - d).abs().max().item(as: Float.self)
                #expect(difference <= 1e-3 * largest,
                        "\(tile), parameter \(i) \(d.shape): gradients differ by \(difference) (largest \(largest))")
            }
        }
    }
}
