// Reading files written by real PyTorch (torch.save) and by the safetensors library.
import Foundation
import Testing
import Ember
@testable import EmberIO
import _EmberTestSupport

@Suite("EmberIO Golden interop files")
struct TorchGoldenTests {
    /// Expected values printed by PyTorch 2.13 (`torch.load("dtypes.pt", weights_only=True)`), and the
    /// CRC-32 of each tensor's contiguous bytes (`zlib.crc32(t.contiguous().numpy().tobytes())`).
    @Test func dtypesFileMatchesPyTorch() throws {
        let sd = try loadStateDict(from: interop("dtypes.pt"))
        #expect(sd.names == ["f32", "f64", "i64", "i32", "bool", "f16", "bf16", "noncontig_t", "scalar"])
        func check(_ name: String, _ dtype: DType, _ shape: [Int], _ values: [Double], crc: UInt32) {
            guard let t = sd[name] else { Issue.record("missing \(name)"); return }
            #expect(t.dtype == dtype, "\(name)")
            #expect(t.shape == shape, "\(name)")
            #expect(t.scalars == values, "\(name)")
            #expect(CRC32.checksum(elementBytes(t)) == crc, "\(name)")
        }
        check("f32", .float32, [2, 3], [0, 1, 2, 3, 4, 5], crc: 0x91e7_9017)
        check("f64", .float64, [5], [0, 0.25, 0.5, 0.75, 1], crc: 0x1e74_f7c5)
        check("i64", .int64, [2, 2], [1, -2, 3, 4], crc: 0x6863_de85)
        check("i32", .int32, [2], [7, 8], crc: 0xaa53_fe9f)
        check("bool", .bool, [3], [1, 0, 1], crc: 0x8984_83b3)
        check("f16", .float16, [2], [0.5, -1.25], crc: 0xbeec_a405)
        check("bf16", .bfloat16, [2], [1.5, 2.0], crc: 0x0ee2_d227)
        check("noncontig_t", .float32, [4, 3], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], crc: 0x7109_b3e5)
        check("scalar", .float32, [], [3.5], crc: 0x3265_f52b)
        // The transpose is read as the view PyTorch saved: stride (1, 4) into a 12-element storage.
        let nc = try #require(sd["noncontig_t"])
        #expect(nc.strides == [1, 4] && !nc.isContiguous && nc.storage.byteCount == 48)
    }

    @Test func inspectListsDtypesFile() throws {
        let s = try inspect(interop("dtypes.pt"))
        #expect(s.map(\.name) == ["f32", "f64", "i64", "i32", "bool", "f16", "bf16", "noncontig_t", "scalar"])
        #expect(s[7].shape == [4, 3] && s[7].checksum == 0x7109_b3e5)
        #expect(s[0].description == "f32  float32  [2, 3]  crc32 91e79017")
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

    /// `tiny_resnet` holds int64 `num_batches_tracked` scalars next to float32 parameters.
    @Test func resnetHasBatchNormCounters() throws {
        let sd = try loadStateDict(from: interop("tiny_resnet_d2l_residual.pt"))
        let n = try #require(sd["1.num_batches_tracked"])
        #expect(n.dtype == .int64 && n.shape == [])
        #expect(sd["0.weight"]!.shape == [8, 1, 3, 3])
    }

    /// The io files hold `{"input", "eval_logits"}`; values printed by PyTorch.
    @Test func ioFileValues() throws {
        let sd = try loadStateDict(from: interop("lenet_d2l_io.pt"))
        let input = try #require(sd["input"]), logits = try #require(sd["eval_logits"])
        #expect(input.shape == [4, 1, 28, 28] && logits.shape == [4, 10])
        #expect(Array(input.toArray(as: Float.self).prefix(3)) == [0.4083467423915863, 1.1263659000396729, 1.9350574016571045])
        #expect(Array(logits.toArray(as: Float.self).prefix(3)) == [-0.1302538365125656, 0.11308614909648895, 0.17735175788402557])
        #expect(abs(input.scalars.reduce(0, +) - -16.134966275305487) < 1e-9)
        #expect(abs(logits.scalars.reduce(0, +) - 5.166734516620636) < 1e-9)
    }

    /// checkpoint_mlp_sgd.pt: `{"epoch": 3, "model": OrderedDict, "optimizer": {"state": {0: {"momentum_buffer": ...}},
    /// "param_groups": [...]}, "loss": float}`; expected values printed by PyTorch.
    @Test func sgdCheckpointStructure() throws {
        let ckpt = try loadCheckpoint(from: interop("checkpoint_mlp_sgd.pt"))
        let top = try #require(ckpt.dict)
        #expect(!top.isOrderedDict)
        #expect(top.keys == ["epoch", "model", "optimizer", "loss"])
        #expect(ckpt["epoch"]?.int == 3)
        #expect(ckpt["loss"]?.double == 2.4823360443115234)

        let model = try #require(ckpt["model"]?.dict)
        #expect(model.isOrderedDict)
        #expect(model.keys == ["1.weight", "1.bias", "3.weight", "3.bias"])
        let w = try #require(ckpt["model"]?["1.weight"]?.tensor)
        #expect(w.shape == [256, 784] && w.dtype == .float32)
        #expect(Array(w.toArray(as: Float.self).prefix(2)) == [-0.00031156433396972716, 0.01897486113011837])
        #expect(abs(w.scalars.reduce(0, +) - 11.051209403628576) < 1e-9)
        #expect(ckpt["model"]?["3.bias"]?.tensor?.toArray(as: Float.self).last == 0.017314106225967407)

        let state = try #require(ckpt["optimizer"]?["state"]?.dict)
        #expect(state.keys == [0, 1, 2, 3])
        let expectedSums = [-0.3586938362375136, 0.21816326928092167, 1.7736419977154583e-06, 5.960464477539063e-08]
        let expectedFirst: [[Float]] = [[0.00044177897507324815, 0.0018384018912911415], [0.004108087159693241, 0.00991886667907238],
                                        [0.03464675322175026, 0.06309027224779129], [0.108241006731987, 0.10267217457294464]]
        let shapes = [[256, 784], [256], [10, 256], [10]]
        for i in 0..<4 {
            let b = try #require(state[.int(i)]?["momentum_buffer"]?.tensor)
            #expect(b.shape == shapes[i])
            #expect(Array(b.toArray(as: Float.self).prefix(2)) == expectedFirst[i])
            #expect(abs(b.scalars.reduce(0, +) - expectedSums[i]) < 1e-9 + 1e-9 * abs(expectedSums[i]))
        }
        let groups = try #require(ckpt["optimizer"]?["param_groups"]?.elements)
        #expect(groups.count == 1)
        let g = try #require(groups[0].dict)
        #expect(g.keys == ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable", "fused", "params"])
        #expect(g["lr"]?.double == 0.1 && g["momentum"]?.double == 0.9)
        #expect(g["dampening"]?.int == 0 && g["nesterov"]?.bool == false && g["foreach"]?.isNone == true)
        #expect(g["params"]?.elements?.compactMap(\.int) == [0, 1, 2, 3])
        // Flattened names as `ember inspect` prints them.
        let names = ckpt.flattenedTensors().map(\.name)
        #expect(names.first == "model.1.weight" && names.last == "optimizer.state.3.momentum_buffer" && names.count == 8)
    }

    @Test func stateDictLoaderRefusesGeneralCheckpoint() throws {
        #expect { try loadStateDict(from: interop("checkpoint_mlp_sgd.pt")) } throws: { e in
            (e as? CheckpointError)?.description.contains("use loadCheckpoint") == true
        }
    }
}
