// Golden tests: torchvision's and Pillow's results (Tests/Fixtures/golden/vision.json) on real files.
import Testing
import Foundation
import Ember
import EmberData
import EmberVision
import _EmberTestSupport

/// The vision cases by name.
let visionCases: [String: [String: Any]] = {
    let json = try! loadGoldenJSON("vision.json")
    var out: [String: [String: Any]] = [:]
    for c in json["cases"] as! [[String: Any]] { out[c["name"] as! String] = c }
    return out
}()

/// Fashion-MNIST test image 0, rebuilt from torchvision's ToTensor output (k / 255 → k, exact).
let fmnistTest0: Image = {
    let t = goldenTensor(visionCases["fmnist_test0_to_tensor"]!["output"])
    return Image(width: 28, height: 28, channels: 1, pixels: t.scalars.map { UInt8(($0 * 255).rounded()) })
}()

@Suite struct VisionGoldenTests {
    func golden(_ name: String) -> Tensor { goldenTensor(visionCases[name]!["output"]) }

    @Test func toTensorExact() {
        #expect(closeness(ToTensor()(fmnistTest0), golden("fmnist_test0_to_tensor"), rtol: 0, atol: 0, label: "ToTensor") == nil)
    }

    @Test func resizeUpPILPath() {
        let out = ToTensor()(Resize(64)(fmnistTest0))
        #expect(closeness(out, golden("fmnist_test0_resize64_pil"), rtol: 0, atol: 1.0 / 255 + 1e-7, label: "Resize(64) PIL") == nil)
    }

    @Test func resizeUpAndDownTensorPath() {
        let x = ToTensor()(fmnistTest0)
        #expect(closeness(Resize(64)(x), golden("fmnist_test0_resize64_tensor"), rtol: 0, atol: 1e-5, label: "Resize(64) tensor") == nil)
        #expect(closeness(Resize((20, 20))(x), golden("fmnist_test0_resize20_tensor"), rtol: 0, atol: 1e-5, label: "Resize(20) tensor") == nil)
    }

    @Test func normalizeCropPadFlip() {
        let x = ToTensor()(fmnistTest0)
        #expect(closeness(Normalize(mean: [0.5], std: [0.5])(x), golden("fmnist_test0_normalize"), rtol: 0, atol: 0, label: "Normalize") == nil)
        let outs = (visionCases["fmnist_test0_centercrop20_pad"]!["outputs"] as! [Any]).map { goldenTensor($0) }
        #expect(closeness(CenterCrop(20)(x).contiguous(), outs[0], rtol: 0, atol: 0, label: "CenterCrop") == nil)
        #expect(closeness(Pad(2)(x), outs[1], rtol: 0, atol: 0, label: "Pad") == nil)
        let flipped = try! RandomHorizontalFlip(p: 1).apply(.tensor(x)).asTensor()
        #expect(closeness(flipped, golden("fmnist_test0_hflip"), rtol: 0, atol: 0, label: "hflip") == nil)
        // The PIL path gives the same crop and pad.
        #expect(closeness(ToTensor()(CenterCrop(20)(fmnistTest0)), outs[0], rtol: 0, atol: 0, label: "CenterCrop PIL") == nil)
        #expect(closeness(ToTensor()(Pad(2)(fmnistTest0)), outs[1], rtol: 0, atol: 0, label: "Pad PIL") == nil)
    }

    // MARK: Opt-in: the real files (EMBER_DATA_DIR).

    @Test(.enabled(if: dataDirectory != nil)) func realFashionMNISTImageMatchesGolden() throws {
        let test = try FashionMNIST(root: dataDirectory!.appendingPathComponent("fashion-mnist").path, train: false)
        #expect(test.image(at: 0) == fmnistTest0)
    }

    @Test(.enabled(if: dataDirectory != nil)) func realJPEGDecodesLikePillow() throws {
        let c = visionCases["jpeg_decode_rgb"]!
        let stats = c["decoded_stats"] as! [String: Any]
        let img = try Image(contentsOf: dataDirectory!.appendingPathComponent(c["file"] as! String).path).converted(to: .rgb)
        #expect([img.height, img.width, img.channels] == stats["shape"] as! [Int])
        #expect(Double(img.pixels.reduce(0) { $0 + Int($1) }) == stats["sum"] as! Double)
        let idx = stats["sample_flat_indices"] as! [Int], vals = stats["sample_values"] as! [Double]
        #expect(idx.map { Double(img.pixels[$0]) } == vals)
        #expect(sha256Hex(img.pixels) == c["sha256_of_raw_pixels"] as! String)
    }

    @Test(.enabled(if: dataDirectory != nil), arguments: ["jpeg_imagenet_eval_pipeline", "jpeg_imagenet_eval_pipeline_tensor"])
    func imagenetEvalPipeline(name: String) throws {
        let c = visionCases[name]!
        let stats = c["output_stats"] as! [String: Any]
        let img = try Image(contentsOf: dataDirectory!.appendingPathComponent(c["file"] as! String).path).converted(to: .rgb)
        let normalize = Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        let out: Tensor
        if name.hasSuffix("_tensor") {
            out = try Compose([ToTensor(), Resize(256), CenterCrop(224), normalize])(img).asTensor()
        } else {
            out = try Compose([Resize(256), CenterCrop(224), ToTensor(), normalize])(img).asTensor()
        }
        #expect(out.shape == stats["shape"] as! [Int])
        let flat = out.contiguous().toArray(as: Float.self)
        let idx = stats["sample_flat_indices"] as! [Int], vals = stats["sample_values"] as! [Double]
        // 1/255 of a resized pixel, divided by the smallest std.
        let tol = 1.0 / 255 / 0.224 + 1e-5
        let worst = zip(idx, vals).map { Swift.abs(Double(flat[$0]) - $1) }.max()!
        #expect(worst <= tol, "worst sampled difference \(worst)")
        let mean = flat.reduce(0.0) { $0 + Double($1) } / Double(flat.count)
        #expect(Swift.abs(mean - (stats["mean"] as! Double)) < 1e-3)
    }
}
