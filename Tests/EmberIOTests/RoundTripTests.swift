// Write → read round trips in every format, for every dtype, views, 0-d and empty tensors, and general checkpoints.
import Foundation
import Testing
import Ember
@testable import EmberIO
import _EmberTestSupport

@Suite("EmberIO round trips")
struct RoundTripTests {
    @Test(arguments: ["pt", "safetensors"])
    func everyDTypeRoundTrips(_ ext: String) throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("all." + ext)
        let sd = everyDTypeStateDict()
        try save(sd, to: url)
        let back = try loadStateDict(from: url)
        #expect(Set(back.names) == Set(sd.names))
        if ext == "pt" { #expect(back.names == sd.names) } // safetensors sorts by dtype then name
        for (name, t) in sd { #expect(exactDifference(try #require(back[name]), t, name) == nil) }
    }

    @Test func torchKeepsViewsAndSharedStorage() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("views.pt")
        let sd = everyDTypeStateDict()
        try save(sd, to: url)
        let back = try loadStateDict(from: url)
        // noncontig_t and offset_view view one 12-float storage: written once, shared again after loading.
        let t = try #require(back["noncontig_t"]), v = try #require(back["offset_view"])
        #expect(t.strides == [1, 4] && v.storageOffset == 4 && v.shape == [2, 4])
        #expect(t.storage === v.storage)
        #expect(try ZipArchive(bytes: readFileBytes(url), file: nil).entries.filter { $0.name.contains("/data/") }.count == sd.count - 1)
    }

    /// The layout torch.save produces: archive folder = stem, 64-byte aligned payloads, the same record names.
    @Test func torchLayoutMatchesTorchSave() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("layout.pt")
        try save(["w": Tensor([Float(1), 2, 3])], to: url)
        let bytes = try readFileBytes(url)
        let zip = try ZipArchive(bytes: bytes, file: nil)
        #expect(zip.entries.map(\.name) == ["layout/data.pkl", "layout/.format_version", "layout/.storage_alignment",
                                            "layout/byteorder", "layout/data/0", "layout/version", "layout/.data/serialization_id"])
        for e in zip.entries { #expect(try zip.payloadRange(of: e).lowerBound % 64 == 0, "\(e.name)") }
        #expect(String(decoding: try zip.read(zip.entry(named: "layout/byteorder")!), as: UTF8.self) == "little")
        #expect(String(decoding: try zip.read(zip.entry(named: "layout/version")!), as: UTF8.self) == "3\n")
    }

    @Test func generalCheckpointRoundTrips() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let w = Tensor([Float(1), -2, 3, 4], shape: [2, 2])
        let model = StateDict([("0.weight", w), ("0.bias", Tensor([Float(0.5), -0.5]))])
        let ckpt: CheckpointValue = [
            "epoch": 3,
            "model": .stateDict(model),
            "optimizer": ["state": [0: ["momentum_buffer": .tensor(w.detach() * 0.5), "step": .tensor(Tensor(scalar: 7))]],
                          "param_groups": [["lr": 0.1, "momentum": 0.9, "nesterov": false, "foreach": nil, "params": [0, 1]]]],
            "loss": 2.4823360443115234,
            "big": .int(1 << 40), "negative": .int(-300_000), "huge": .int(Int.min),
            "name": "résumé ✓", "shape": .tuple([2, 3]), "one": .tuple(["x"]), "many": .tuple([1, 2, 3, 4, 5]),
        ]
        let url = dir.appendingPathComponent("ckpt.pt")
        try saveCheckpoint(ckpt, to: url)
        let back = try loadCheckpoint(from: url)
        #expect(treeDifference(back, ckpt) == nil)
        // A checkpoint with a non-tensor leaf cannot go to a tensor-only format.
        #expect { try saveCheckpoint(ckpt, to: dir.appendingPathComponent("ckpt.safetensors")) } throws: { e in
            (e as? CheckpointError)?.description.contains("'epoch' is a int") == true
        }
    }

    @Test func requiresGradSurvivesTorchFormat() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let p = Tensor([Float(1), 2]).requiresGrad_()
        let url = dir.appendingPathComponent("p.pt")
        try saveCheckpoint(["p": .tensor(p)], to: url)
        #expect(try loadCheckpoint(from: url)["p"]?.tensor?.requiresGrad == true)
    }

    @Test func npzAndNpyRoundTrip() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        var sd = everyDTypeStateDict()
        sd["bf16"] = nil // numpy has no bfloat16
        let npz = dir.appendingPathComponent("all.npz")
        try save(sd, to: npz)
        let back = try loadStateDict(from: npz)
        #expect(back.names == sd.names)
        for (name, t) in sd { #expect(exactDifference(try #require(back[name]), t, name) == nil) }
        let npy = dir.appendingPathComponent("one.npy")
        try save(["x": sd["noncontig_t"]!], to: npy)
        #expect(exactDifference(try #require(loadStateDict(from: npy)["one"]), sd["noncontig_t"]!) == nil)
        #expect { try save(["b": Tensor([BFloat16(1)])], to: dir.appendingPathComponent("b.npz")) } throws: { e in
            (e as? NpyError)?.reason == .unsupportedDType("bfloat16 (NumPy has no bfloat16; convert with .float() first)")
        }
    }

    /// An .npz written by numpy 2.x (`np.savez(f, a=np.arange(6, dtype=np.float32).reshape(2, 3), b=np.array([True, False]))`),
    /// and a Fortran-ordered .npy (`np.save(f, np.asfortranarray(np.arange(6).reshape(2, 3)))`).
    @Test func readsNumpyWrittenFiles() throws {
        let npz = try NpzFormat.read(Array(Data(base64Encoded: numpyNpzBase64)!), file: "numpy.npz")
        #expect(npz.names == ["a", "b"])
        #expect(npz["a"]!.shape == [2, 3] && npz["a"]!.scalars == [0, 1, 2, 3, 4, 5] && npz["a"]!.dtype == .float32)
        #expect(npz["b"]!.dtype == .bool && npz["b"]!.scalars == [1, 0])
        let f = try NpyFormat.read(Array(Data(base64Encoded: numpyFortranNpyBase64)!), file: "f.npy")
        #expect(f.shape == [2, 3] && f.dtype == .int64 && f.scalars == [0, 1, 2, 3, 4, 5])
    }

    @Test func convertKeepsEverythingExactly() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let src = interop("tiny_resnet_d2l_residual.pt")
        let original = try loadStateDict(from: src)
        var previous = src
        for ext in ["safetensors", "npz", "pt", "safetensors", "pt"] {
            let next = dir.appendingPathComponent("step\(ext.count)-\(UUID().uuidString.prefix(4)).\(ext)")
            try convert(from: previous, to: next)
            let sd = try loadStateDict(from: next)
            #expect(Set(sd.names) == Set(original.names), "\(ext)")
            for (n, t) in original { #expect(exactDifference(try #require(sd[n]), t, "\(ext) \(n)") == nil) }
            #expect(try inspect(next).map(\.checksum).sorted() == inspect(src).map(\.checksum).sorted())
            previous = next
        }
        // .pt → .pt keeps a general checkpoint's whole tree.
        let ck = dir.appendingPathComponent("copy.pt")
        try convert(from: interop("checkpoint_mlp_sgd.pt"), to: ck)
        #expect(treeDifference(try loadCheckpoint(from: ck), try loadCheckpoint(from: interop("checkpoint_mlp_sgd.pt"))) == nil)
        // safetensors → safetensors keeps __metadata__.
        let m1 = dir.appendingPathComponent("m1.safetensors"), m2 = dir.appendingPathComponent("m2.safetensors")
        try saveSafetensors(["x": Tensor([Float(1)])], metadata: [("format", "pt")], to: m1)
        try convert(from: m1, to: m2)
        #expect(try loadSafetensors(from: m2).metadata.map { $0.0 + "=" + $0.1 } == ["format=pt"])
    }

    /// The writer sorts like the safetensors library: dtype rank descending, then name; header padded to 8 with spaces.
    @Test func safetensorsHeaderLayout() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let url = dir.appendingPathComponent("h.safetensors")
        try save(["b": Tensor([Float(1)]), "a": Tensor([Float(2)]), "n": Tensor([Int64(3)]), "z": Tensor([true])], to: url)
        let bytes = try readFileBytes(url)
        let n = Int(ByteReader(bytes).u64(at: 0)!)
        #expect(n % 8 == 0)
        let header = String(decoding: bytes[8 ..< 8 + n], as: UTF8.self)
        #expect(header.hasPrefix(#"{"n":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"b":"#))
        #expect(header.contains(#""z":{"dtype":"BOOL","shape":[1],"data_offsets":[16,17]}}"#))
        // Same bytes as the reference library writes for the twins: re-saving a golden file reproduces it exactly.
        let golden = interop("lenet_d2l.safetensors")
        let copy = dir.appendingPathComponent("lenet.safetensors")
        try save(try loadStateDict(from: golden), to: copy)
        #expect(try readFileBytes(copy) == readFileBytes(golden))
    }

    @Test func formatByExtension() throws {
        #expect(try TensorFileFormat(for: URL(fileURLWithPath: "a.PTH")) == .torch)
        #expect(try TensorFileFormat(for: URL(fileURLWithPath: "pytorch_model.bin")) == .torch)
        // Like torch.save, any other name is PyTorch's format.
        for name in ["mlp.params", "x-file", "a.h5", "model"] {
            #expect(try TensorFileFormat(for: URL(fileURLWithPath: name)) == .torch)
        }
        #expect(try TensorFileFormat(for: URL(fileURLWithPath: "a.SafeTensors")) == .safetensors)
    }
}

/// Written by numpy 2.4.6 `np.savez` (note its ZIP64 local headers with 0xFFFFFFFF sizes).
let numpyNpzBase64 = "UEsDBC0AAAAAAAAAIQBP6QAq//////////8FABQAYS5ucHkBABAAmAAAAAAAAACYAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxmNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCAzKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAAAAAgD8AAABAAABAQAAAgEAAAKBAUEsDBC0AAAAAAAAAIQDuGbtd//////////8FABQAYi5ucHkBABAAggAAAAAAAACCAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJ3xiMScsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAQBQSwECLQMtAAAAAAAAACEAT+kAKpgAAACYAAAABQAAAAAAAAAAAAAAgAEAAAAAYS5ucHlQSwECLQMtAAAAAAAAACEA7hm7XYIAAACCAAAABQAAAAAAAAAAAAAAgAHPAAAAYi5ucHlQSwUGAAAAAAIAAgBmAAAAiAEAAAAA"
/// Written by numpy 2.4.6 `np.save` of a Fortran-ordered int64 array [[0, 1, 2], [3, 4, 5]].
let numpyFortranNpyBase64 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAMAAAAAAAAAAQAAAAAAAAAEAAAAAAAAAAIAAAAAAAAABQAAAAAAAAA="
