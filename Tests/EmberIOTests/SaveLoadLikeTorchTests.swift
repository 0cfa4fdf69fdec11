// The book's section 5.5 written as a PyTorch user would: torch.save of a tensor, a list and a dict under any
// file name, then torch.load. (Checked by hand: torch.load(..., weights_only=True) of these four files gives the
// tensor, the list, the dict and the state dict.)
import Foundation
import Testing
import Ember
@testable import EmberIO

@Suite("EmberIO save and load like torch.save")
struct SaveLoadLikeTorchTests {
    @Test func tensorListAndDictUnderAnyName() throws {
        let dir = try makeTempDirectory()
        defer { cleanup(dir) }
        let x = Tensor.arange(4).float(), y = Tensor.zeros([4])
        let xFile = dir.appendingPathComponent("x-file").path
        try save(x, to: xFile)
        #expect(try loadTensor(from: xFile).scalars == [0, 1, 2, 3])
        // torch.save(x) writes the bare tensor, not a dict.
        if case .tensor = try loadCheckpoint(from: xFile) {} else { Issue.record("x-file does not hold a bare tensor") }

        let xFiles = dir.appendingPathComponent("x-files").path
        try save([x, y], to: xFiles)
        let back = try loadTensors(from: xFiles)
        #expect(back.count == 2 && back[0].scalars == x.scalars && back[1].scalars == y.scalars)

        let dictFile = dir.appendingPathComponent("mydict").path
        try save(["x": x, "y": y], to: dictFile)
        let d = try loadTensorDict(from: dictFile)
        #expect(d["x"]?.scalars == x.scalars && d["y"]?.scalars == y.scalars)

        // A state dict under the notes' name `mlp.params` is PyTorch's format, not refused for its extension.
        let params = dir.appendingPathComponent("mlp.params").path
        try save(StateDict([("hidden.weight", Tensor.ones([2, 2]))]), to: params)
        #expect(try readFileBytes(URL(fileURLWithPath: params)).prefix(2) == [0x50, 0x4B])   // "PK": a zip
        #expect(try loadStateDict(from: params)["hidden.weight"]?.shape == [2, 2])

        // Asking for one tensor from a list says what is there.
        #expect { try loadTensor(from: xFiles) } throws: { "\($0)".contains("holds a list, not one tensor") }
    }
}
