// Opt-in: writes Ember files to EMBER_IO_EXPORT_DIR so a developer can check them with real PyTorch
// (`torch.load(p, weights_only=True)`); does nothing in normal runs (the suite must not need torch).
import Foundation
import Testing
import Ember
@testable import EmberIO

@Suite("EmberIO export for a manual PyTorch check")
struct ExportForTorch {
    @Test func export() throws {
        guard let d = ProcessInfo.processInfo.environment["EMBER_IO_EXPORT_DIR"], !d.isEmpty else { return }
        let dir = URL(fileURLWithPath: d)
        let sd = everyDTypeStateDict()
        try save(sd, to: dir.appendingPathComponent("ember_all.pt"))
        try save(sd, to: dir.appendingPathComponent("ember_all.safetensors"))
        var npz = sd
        npz["bf16"] = nil
        try save(npz, to: dir.appendingPathComponent("ember_all.npz"))
        try TorchFormat.write(.stateDict(sd), to: dir.appendingPathComponent("ember_zip64.pt"), zip64Threshold: 0)
        let w = Tensor([Float(1), -2, 3, 4], shape: [2, 2])
        let ckpt: CheckpointValue = [
            "epoch": 3, "model": .stateDict(["0.weight": w, "0.bias": Tensor([Float(0.5), -0.5])]),
            "optimizer": ["state": [0: ["momentum_buffer": .tensor(w.t())]],
                          "param_groups": [["lr": 0.1, "nesterov": false, "foreach": nil, "params": [0, 1]]]],
            "loss": 2.5, "big": .int(1 << 40), "neg": .int(-300_000), "min": .int(Int.min), "name": "résumé",
            "tup": .tuple([1, 2, 3, 4]), "shared": .tensor(w),
        ]
        try saveCheckpoint(ckpt, to: dir.appendingPathComponent("ember_ckpt.pt"))
        try convert(from: dir.appendingPathComponent("ember_ckpt.pt"), to: dir.appendingPathComponent("ember_ckpt_copy.pt"))
        try convert(from: interop("checkpoint_mlp_sgd.pt"), to: dir.appendingPathComponent("ember_sgd_copy.pt"))
        try convert(from: interop("lenet_d2l.safetensors"), to: dir.appendingPathComponent("ember_lenet.pt"))
        try convert(from: interop("tiny_resnet_d2l_residual.pt"), to: dir.appendingPathComponent("ember_resnet.safetensors"))
        try convert(from: interop("tiny_resnet_d2l_residual.pt"), to: dir.appendingPathComponent("ember_resnet.npz"))
    }
}
