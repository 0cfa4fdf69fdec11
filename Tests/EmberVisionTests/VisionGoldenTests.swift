// Golden tests: torchvision's and Pillow's results (Tests/Fixtures/golden/vision.json) on real files.
import Testing
import Foundation
import Ember
import EmberData
import EmberVision
import _EmberTestSupport

/// vision.json's cases by name, or the reason they cannot be read (a test reading a case then fails with it).
let visionLoad: Result<[[String: Any]], Error> = Result {
    let json = try loadGoldenJSON("vision.json")
    guard let list = json["cases"] as? [[String: Any]] else {
        throw GoldenFormatError("\(goldenDirectory.path)/vision.json has no 'cases' list")
    }
    return list
}

/// The cases this suite evaluates; any other case in vision.json fails `everyCaseIsKnown`. Each test implements
/// its case's `torch` expression (Resize(64), Normalize((0.5,), (0.5,)), CenterCrop(20), Pad(2), the ImageNet
/// mean and std...): those constants define the case; every expected value is read from the file.
let knownVisionCases: Set<String> = [
    "fmnist_test0_to_tensor", "fmnist_test0_resize64_pil", "fmnist_test0_resize64_tensor", "fmnist_test0_resize20_tensor",
    "fmnist_test0_normalize", "fmnist_test0_centercrop20_pad", "fmnist_test0_hflip", "jpeg_decode_rgb",
    "jpeg_imagenet_eval_pipeline", "jpeg_imagenet_eval_pipeline_tensor",
]

func visionCase(_ name: String) throws -> [String: Any] {
    let c = try visionLoad.get().first { $0["name"] as? String == name }
    return try #require(c, "vision.json in \(goldenDirectory.path) has no case \(name)")
}

/// A case's `output` tensor.
func golden(_ name: String) throws -> Tensor { try goldenTensor(visionCase(name)["output"], "vision.json \(name) output") }

/// Fashion-MNIST test image 0, rebuilt from torchvision's ToTensor output (k / 255 → k, exact); its size is the file's.
func fmnistTest0() throws -> Image {
    let t = try golden("fmnist_test0_to_tensor")
    try #require(t.shape.count == 3 && t.shape[0] == 1, "vision.json fmnist_test0_to_tensor: shape \(t.shape) is not [1, H, W]")
    return Image(width: t.shape[2], height: t.shape[1], channels: 1, pixels: t.scalars.map { UInt8(($0 * 255).rounded()) })
}

/// A value of a case's statistics object, of the type the format gives it.
func stat<T>(_ stats: [String: Any], _ key: String, _ name: String) throws -> T {
    try #require(stats[key] as? T, "vision.json \(name): no \(key) of type \(T.self)")
}

@Suite struct VisionGoldenTests {
    @Test func everyCaseIsKnown() throws {
        let cases = try visionLoad.get()
        try #require(!cases.isEmpty, "vision.json in \(goldenDirectory.path) has no cases")
        for (k, c) in cases.enumerated() {
            guard let name = c["name"] as? String else { Issue.record("vision.json case \(k) has no name"); continue }
            #expect(knownVisionCases.contains(name), "vision.json case '\(name)' is not evaluated by any Ember test")
        }
    }

    @Test func toTensorExact() throws {
        #expect(closeness(ToTensor()(try fmnistTest0()), try golden("fmnist_test0_to_tensor"), rtol: 0, atol: 0, label: "ToTensor") == nil)
    }

    @Test func resizeUpPILPath() throws {
        let out = ToTensor()(Resize(64)(try fmnistTest0()))
        #expect(closeness(out, try golden("fmnist_test0_resize64_pil"), rtol: 0, atol: 1.0 / 255 + 1e-7, label: "Resize(64) PIL") == nil)
    }

    @Test func resizeUpAndDownTensorPath() throws {
        let x = ToTensor()(try fmnistTest0())
        #expect(closeness(Resize(64)(x), try golden("fmnist_test0_resize64_tensor"), rtol: 0, atol: 1e-5, label: "Resize(64) tensor") == nil)
        #expect(closeness(Resize((20, 20))(x), try golden("fmnist_test0_resize20_tensor"), rtol: 0, atol: 1e-5, label: "Resize(20) tensor") == nil)
    }

    @Test func normalizeCropPadFlip() throws {
        let image = try fmnistTest0()
        let x = ToTensor()(image)
        #expect(closeness(Normalize(mean: [0.5], std: [0.5])(x), try golden("fmnist_test0_normalize"), rtol: 0, atol: 0, label: "Normalize") == nil)
        let list = try #require(try visionCase("fmnist_test0_centercrop20_pad")["outputs"] as? [Any], "vision.json fmnist_test0_centercrop20_pad: no outputs list")
        try #require(list.count == 2, "vision.json fmnist_test0_centercrop20_pad: \(list.count) outputs, the expression has 2")
        let outs = try list.enumerated().map { try goldenTensor($1, "vision.json fmnist_test0_centercrop20_pad output \($0)") }
        #expect(closeness(CenterCrop(20)(x).contiguous(), outs[0], rtol: 0, atol: 0, label: "CenterCrop") == nil)
        #expect(closeness(Pad(2)(x), outs[1], rtol: 0, atol: 0, label: "Pad") == nil)
        let flipped = try RandomHorizontalFlip(p: 1).apply(.tensor(x)).asTensor()
        #expect(closeness(flipped, try golden("fmnist_test0_hflip"), rtol: 0, atol: 0, label: "hflip") == nil)
        // The PIL path gives the same crop and pad.
        #expect(closeness(ToTensor()(CenterCrop(20)(image)), outs[0], rtol: 0, atol: 0, label: "CenterCrop PIL") == nil)
        #expect(closeness(ToTensor()(Pad(2)(image)), outs[1], rtol: 0, atol: 0, label: "Pad PIL") == nil)
    }

    // MARK: Opt-in: the real files (EMBER_DATA_DIR).

    @Test(.enabled(if: dataDirectory != nil)) func realFashionMNISTImageMatchesGolden() throws {
        let data = try #require(dataDirectory)
        let test = try FashionMNIST(root: data.appendingPathComponent("fashion-mnist").path, train: false)
        #expect(test.image(at: 0) == (try fmnistTest0()))
    }

    @Test(.enabled(if: dataDirectory != nil)) func realJPEGDecodesLikePillow() throws {
        let name = "jpeg_decode_rgb", c = try visionCase(name)
        let stats: [String: Any] = try stat(c, "decoded_stats", name), file: String = try stat(c, "file", name)
        let img = try Image(contentsOf: try #require(dataDirectory).appendingPathComponent(file).path).converted(to: .rgb)
        #expect([img.height, img.width, img.channels] == (try stat(stats, "shape", name) as [Int]))
        #expect(Double(img.pixels.reduce(0) { $0 + Int($1) }) == (try stat(stats, "sum", name) as Double))
        let idx: [Int] = try stat(stats, "sample_flat_indices", name), vals: [Double] = try stat(stats, "sample_values", name)
        try #require(idx.allSatisfy { img.pixels.indices.contains($0) }, "\(name): sample indices beyond the \(img.pixels.count) decoded values")
        #expect(idx.map { Double(img.pixels[$0]) } == vals)
        #expect(sha256Hex(img.pixels) == (try stat(c, "sha256_of_raw_pixels", name) as String))
    }

    @Test(.enabled(if: dataDirectory != nil), arguments: ["jpeg_imagenet_eval_pipeline", "jpeg_imagenet_eval_pipeline_tensor"])
    func imagenetEvalPipeline(name: String) throws {
        let c = try visionCase(name)
        let stats: [String: Any] = try stat(c, "output_stats", name), file: String = try stat(c, "file", name)
        let img = try Image(contentsOf: try #require(dataDirectory).appendingPathComponent(file).path).converted(to: .rgb)
        // "Normalize(imagenet mean, std)": the case names torchvision's standard ImageNet constants.
        let normalize = Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        let out: Tensor
        if name.hasSuffix("_tensor") {
            out = try Compose([ToTensor(), Resize(256), CenterCrop(224), normalize])(img).asTensor()
        } else {
            out = try Compose([Resize(256), CenterCrop(224), ToTensor(), normalize])(img).asTensor()
        }
        #expect(out.shape == (try stat(stats, "shape", name) as [Int]))
        let flat = out.contiguous().toArray(as: Float.self)
        let idx: [Int] = try stat(stats, "sample_flat_indices", name), vals: [Double] = try stat(stats, "sample_values", name)
        try #require(!idx.isEmpty && idx.count == vals.count && idx.allSatisfy { flat.indices.contains($0) }, "\(name): sample indices empty, unmatched or beyond the \(flat.count) output values")
        // 1/255 of a resized pixel, divided by the smallest std.
        let tol = 1.0 / 255 / 0.224 + 1e-5
        let worst = try #require(zip(idx, vals).map { Swift.abs(Double(flat[$0]) - $1) }.max())
        #expect(worst <= tol, "worst sampled difference \(worst)")
        let mean = flat.reduce(0.0) { $0 + Double($1) } / Double(flat.count)
        #expect(Swift.abs(mean - (try stat(stats, "mean", name) as Double)) < 1e-3)
    }
}
