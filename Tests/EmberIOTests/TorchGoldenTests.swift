// Reading files written by real PyTorch (torch.save) and by the safetensors library, compared with what PyTorch
// itself reads in them (`interop/expected.json`), so the suite holds for any golden directory of this format.
import Foundation
import Testing
import Ember
@testable import EmberIO
import _EmberTestSupport

/// `interop/expected.json`: per file, every leaf by '/'-joined key path — a tensor's dtype, shape, float64 sum
/// and first values, or a plain value.
struct InteropExpectations {
    let files: [String: [String: [String: Any]]]

    init() throws {
        let url = interop("expected.json")
        let data = try Data(contentsOf: url)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(url.path) is not a JSON object")
        files = try #require(root["files"] as? [String: [String: [String: Any]]], "\(url.path) has no 'files' object")
    }
}

/// Equal up to the last bits that Foundation's JSON number parsing on Linux gets wrong (it is not correctly
/// rounded: `-0.012128588743507862` reads as `...866`); float32 values are compared exactly after rounding.
func sameNumber(_ a: Double, _ b: Double, float32: Bool = false) -> Bool {
    if float32 { return Float(a) == Float(b) }
    return a == b || abs(a - b) <= 4 * Swift.max(abs(a), abs(b)).ulp
}

/// True for JSON's `true`/`false` (JSONSerialization gives NSNumbers of Objective-C type `c` for them).
func isJSONBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

/// Every leaf of a loaded checkpoint tree with its '/'-joined key path (list positions and int keys as numbers).
func leaves(_ v: CheckpointValue, _ path: String = "") -> [(String, CheckpointValue)] {
    func join(_ k: String) -> String { path.isEmpty ? k : path + "/" + k }
    switch v {
    case .dict(let d): return d.entries.flatMap { leaves($0.value, join($0.key.description)) }
    case .list(let xs), .tuple(let xs): return xs.enumerated().flatMap { leaves($1, join(String($0))) }
    default: return [(path, v)]
    }
}

@Suite("EmberIO Golden interop files")
struct TorchGoldenTests {
    /// A plain value from expected.json equals the loaded one (Python ints, floats, bools, None, strings).
    func plainMatches(_ expected: Any, _ v: CheckpointValue) -> Bool {
        switch (expected, v) {
        case (is NSNull, .none): return true
        case (let s as String, .string(let t)): return s == t
        case (let n as NSNumber, _):
            if isJSONBool(n) { if case .bool(let b) = v { return b == n.boolValue }; return false }
            switch v {
            case .int(let i): return Double(i) == n.doubleValue
            case .double(let d): return sameNumber(d, n.doubleValue)
            default: return false
            }
        default: return false
        }
    }

    @Test func everyInteropFileReadsAsPyTorchReadsIt() throws {
        let expected = try InteropExpectations()
        try #require(!expected.files.isEmpty)
        for (file, entries) in expected.files.sorted(by: { $0.key < $1.key }) {
            let value = try loadCheckpoint(from: interop(file))
            let found = Dictionary(leaves(value), uniquingKeysWith: { a, _ in a })
            #expect(Set(found.keys) == Set(entries.keys), "\(file): key paths")
            for (path, e) in entries {
                guard let v = found[path] else { continue }
                if let plain = e["value"] {
                    #expect(plainMatches(plain, v), "\(file) \(path): \(v.shortDescription), PyTorch reads \(plain)")
                    continue
                }
                guard case .tensor(let t) = v else { Issue.record("\(file) \(path) is a \(v.kindName), PyTorch reads a tensor"); continue }
                #expect(t.dtype.rawValue == e["dtype"] as? String, "\(file) \(path): dtype")
                #expect(t.shape == (e["shape"] as? [Int]), "\(file) \(path): shape")
                let values = t.scalars
                if let sum = e["sum"] as? Double {
                    let mine = values.reduce(0, +)
                    #expect(abs(mine - sum) <= 1e-9 + 1e-9 * abs(sum) + 1e-12 * Double(values.count), "\(file) \(path): sum \(mine) vs \(sum)")
                }
                let first = (e["first"] as? [Any] ?? []).map { x -> Double in
                    if let n = x as? NSNumber { return isJSONBool(n) ? (n.boolValue ? 1 : 0) : n.doubleValue }
                    return .nan
                }
                let mine = Array(values.prefix(first.count))
                #expect(mine.count == first.count && zip(mine, first).allSatisfy { sameNumber($0, $1, float32: t.dtype != .float64) },
                        "\(file) \(path): first values \(mine), PyTorch \(first)")
                // The checksum `inspect` prints is zlib's CRC-32 of the contiguous bytes, however the tensor is laid out.
                #expect(t.elementChecksum == CRC32.checksum(elementBytes(t)), "\(file) \(path): checksum")
            }
        }
    }

    /// `dtypes.pt` holds a non-contiguous transpose: it is read as the view PyTorch saved, not made contiguous.
    @Test func transposeKeepsItsStrides() throws {
        let sd = try loadStateDict(from: interop("dtypes.pt"))
        let nc = try #require(sd["noncontig_t"], "dtypes.pt has no noncontig_t")
        #expect(!nc.isContiguous)
        #expect(nc.storage.byteCount == nc.numel * nc.dtype.itemSize)
        let s = try inspect(interop("dtypes.pt"))
        #expect(s.map(\.name) == sd.names)
        #expect(s.first.map { "\($0)".hasPrefix("\(sd.names[0])  \(sd[0].tensor.dtype.rawValue)  \(shapeString(sd[0].tensor.shape))  crc32 ") } == true)
    }

    /// Each model's torch.save file and its safetensors twin, read by two independent readers, agree exactly.
    @Test(arguments: ["mlp_784_256_10", "lenet_d2l", "tiny_resnet_d2l_residual"])
    func torchFileMatchesSafetensorsTwin(_ model: String) throws {
        let pt = try loadStateDict(from: interop(model + ".pt"))
        let st = try loadStateDict(from: interop(model + ".safetensors"))
        #expect(pt.count == st.count && pt.count > 0)
        #expect(Set(pt.names) == Set(st.names))
        for (name, t) in pt {
            let u = try #require(st[name])
            #expect(exactDifference(t, u, name) == nil)
        }
    }

    /// The SGD checkpoint keeps Python's container types: a plain dict at the top, OrderedDict for the model,
    /// int keys for the optimizer state.
    @Test func sgdCheckpointKeepsContainerTypes() throws {
        let ckpt = try loadCheckpoint(from: interop("checkpoint_mlp_sgd.pt"))
        let top = try #require(ckpt.dict)
        #expect(!top.isOrderedDict)
        #expect(ckpt["model"]?.dict?.isOrderedDict == true)
        let state = try #require(ckpt["optimizer"]?["state"]?.dict)
        #expect(state.keys.allSatisfy { if case .int = $0 { return true }; return false })
        // Flattened names as `ember inspect` prints them.
        let names = ckpt.flattenedTensors().map(\.name)
        #expect(names.first?.hasPrefix("model.") == true && names.last?.hasPrefix("optimizer.state.") == true)
    }

    @Test func stateDictLoaderRefusesGeneralCheckpoint() throws {
        #expect { try loadStateDict(from: interop("checkpoint_mlp_sgd.pt")) } throws: { e in
            (e as? CheckpointError)?.description.contains("use loadCheckpoint") == true
        }
    }

    /// Real torch.save files of dtypes Ember does not hold are refused as such, not as an attack.
    @Test(arguments: ["complex64", "uint16", "float8_e4m3fn"])
    func unsupportedDtypesAreNamed(_ dtype: String) throws {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/unsupported-dtypes/\(dtype).pt")
        #expect { try loadCheckpoint(from: url) } throws: { e in
            let text = "\(e)"
            return (e as? PickleError)?.kind == .unsupportedDtype(dtype) && text.contains("unsupported dtype \(dtype)")
                && text.contains("\(dtype).pt") && !text.contains("forbidden")
        }
    }
}
