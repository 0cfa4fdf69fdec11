// The model zoo against PyTorch (zoo.json): each network built right after manualSeed(seed) prints PyTorch's text,
// has its parameter count, state-dict keys, shapes and dtypes, the same initial weights (sums, first values) and
// the same eval-mode logits. VGG-16's logits (slow in a debug build) are compared with EMBER_ZOO_FULL=1.
import Foundation
import Testing
import EmberKit
import _EmberTestSupport

private let zoo: [String: Any] = (try? loadGoldenJSON("zoo.json")) ?? [:]
private let zooCases: [[String: Any]] = (zoo["models"] as? [[String: Any]]) ?? []

/// Networks whose eval forward takes seconds in a debug build (VGG-16 at 224×224: about 9 s here, against 0.1–0.8 s
/// for the others): their logits are compared only when `EMBER_ZOO_FULL=1`. Everything else about them always is.
private let slowForward: Set<String> = ["torchvision_vgg16"]
private let fullZoo = ProcessInfo.processInfo.environment["EMBER_ZOO_FULL"] == "1"

/// Sum in float64 of a tensor's values, read in place (a float64 copy of VGG-16's 103M-value layer would be 800 MB).
private func float64Sum(_ t: Tensor) -> Double {
    let c = t.contiguous()
    var total = 0.0
    switch c.dtype {
    case .float32:
        let p = c.pointer(as: Float.self)
        for i in 0..<c.numel { total += Double(p[i]) }
    case .int64:
        let p = c.pointer(as: Int64.self)
        for i in 0..<c.numel { total += Double(p[i]) }
    default:
        total = c.to(.float64).sum().item()
    }
    return total
}

@Suite("ZooGolden: zoo.json parity")
struct ZooGoldenTests {
    @Test func everyGoldenModelIsKnown() {
        #expect(!zooCases.isEmpty, "zoo.json not found in \(goldenDirectory.path)")
        for c in zooCases {
            let name = c["name"] as? String ?? "?"
            #expect(ModelZoo.entry(name) != nil, "unknown zoo model \(name)")
        }
    }

    @Test(arguments: zooCases.map { $0["name"] as? String ?? "?" })
    func parity(name: String) throws {
        let c = try #require(zooCases.first { $0["name"] as? String == name })
        let entry = try #require(ModelZoo.entry(name), "unknown zoo model \(name)")
        let seed = UInt64((zoo["seed"] as? NSNumber)?.intValue ?? 0)
        let logitsGolden = try #require(c["eval_logits"] as? [Double])

        // PyTorch: torch.manual_seed(seed), then the constructor. A generator bound to this test only, so the other
        // tests running in parallel draw from their own streams.
        let model = withGenerator(Generator(seed: seed)) { entry.build(logitsGolden.count) }

        // print(model)
        let printed = try #require(c["print"] as? String)
        #expect(model.description == printed, "\(name): printed form differs:\n\(model.description)")

        // Parameter count.
        let count = model.parameters().reduce(0) { $0 + $1.numel }
        #expect(count == (c["parameters"] as? Int), "\(name): \(count) parameters")

        // State dict: keys in order, shapes, dtypes, sums and first values.
        let sd = model.stateDict()
        let golden = try #require(c["state_dict"] as? [[String: Any]])
        #expect(sd.names == golden.map { $0["key"] as? String ?? "" }, "\(name): state_dict keys differ: \(sd.names)")
        for g in golden {
            let key = g["key"] as? String ?? ""
            guard let t = sd[key] else { continue }
            #expect(t.shape == (g["shape"] as? [Int]), "\(name) \(key): shape \(t.shape)")
            #expect(t.dtype.rawValue == (g["dtype"] as? String), "\(name) \(key): dtype \(t.dtype)")
            let expectedSum = (g["sum"] as? NSNumber)?.doubleValue ?? .nan
            let sum = float64Sum(t)
            #expect(Swift.abs(sum - expectedSum) <= 1e-7 * (1 + Swift.abs(expectedSum)),
                    "\(name) \(key): sum \(sum) vs \(expectedSum)")
            // Bit for bit in float32 (Foundation's JSON reader may be off in the last bit of a double, so the
            // golden values are rounded to float32 before comparing).
            let first = (g["first"] as? [NSNumber])?.map { Float($0.doubleValue) } ?? []
            let flat = t.contiguous().reshape(-1)
            let actual = (0..<Swift.min(first.count, flat.numel)).map { Float(flat.scalarAt($0)) }
            #expect(actual == first, "\(name) \(key): first values \(actual) vs \(first)")
        }

        // Eval-mode logits on torch.rand(shape, generator=Generator().manual_seed(seed + 1)).
        if fullZoo || !slowForward.contains(name) {
            let input = try #require(c["input"] as? [String: Any])
            let shape = try #require(input["shape"] as? [Int])
            let x = Tensor.rand(shape, generator: Generator(seed: seed + 1))
            let inputSum = (input["sum"] as? NSNumber)?.doubleValue ?? .nan
            #expect(Swift.abs(float64Sum(x) - inputSum) <= 1e-6 * (1 + inputSum), "\(name): input sum \(float64Sum(x))")
            model.eval()
            let logits = noGrad { model(x) }
            #expect(closeness(logits, Tensor(logitsGolden, shape: [1, logitsGolden.count]), rtol: 0, atol: 1e-4,
                              label: "\(name) eval logits") == nil)
        }
        if let vgg = model as? VGG { vggSurgery(vgg, printed: printed) }
    }
}

/// The notes' fine-tuning surgery on torchvision's VGG-16: its printed form is the golden one with the classifier's
/// lines changed as PyTorch's `add_module` and `__setitem__` change them.
private func vggSurgery(_ vgg: VGG, printed: String) {
    let last = "    (6): Linear(in_features=4096, out_features=1000, bias=True)\n  )\n)"
    #expect(printed.hasSuffix(last))
    vgg.classifier.addModule("add_linear", Linear(1000, 10))
    let added = "    (6): Linear(in_features=4096, out_features=1000, bias=True)\n"
        + "    (add_linear): Linear(in_features=1000, out_features=10, bias=True)\n  )\n)"
    #expect(vgg.description == String(printed.dropLast(last.count)) + added)
    vgg.classifier[6] = Linear(4096, 10)
    let replaced = "    (6): Linear(in_features=4096, out_features=10, bias=True)\n"
        + "    (add_linear): Linear(in_features=1000, out_features=10, bias=True)\n  )\n)"
    #expect(vgg.description == String(printed.dropLast(last.count)) + replaced)
}

