// The notes' file I/O (section 5.5): `torch.save` / `torch.load` of a tensor, a list of tensors, a dictionary
// of tensors, and a model's parameters loaded into a clone that then computes the same outputs.
// The files are PyTorch's format whatever their name, so `torch.load(..., weights_only=True)` reads them.
import Foundation
import EmberKit

/// What `runSaveLoad` printed.
struct SaveLoadResult {
    /// The folder the files went into, and the files written there (`x-file`, `x-files`, `mydict`, `mlp.params`).
    var directory: String, files: [String]
    /// `x2 = torch.load("x-file")` for x = arange(4): its values and dtype.
    var x2: [Double], x2DType: DType
    /// `x2, y2 = torch.load("x-files")` for [x, zeros(4)].
    var listValues: [[Double]]
    /// `mydict2 = torch.load("mydict")` for {"x": x, "y": y}: keys and values.
    var dictKeys: [String], dictValues: [String: [Double]]
    /// `mlp.params`: the state dict's keys and shapes as loaded.
    var parameterKeys: [String], parameterShapes: [[Int]]
    /// `Y_clone == Y`, elementwise; and the clone's outputs before loading differed from `Y` (the load did it).
    var yCloneEqualsY: [Bool], differedBeforeLoading: Bool
    /// The shape of `Y` (X is 2 × 20).
    var yShape: [Int]
}

/// The notes' MLP: a hidden layer of 256 with ReLU, an output layer of 10.
final class MLP: Module {
    let hidden = Linear(20, 256)
    let output = Linear(256, 10)
    override func forward(_ x: Tensor) -> Tensor { output(F.relu(hidden(x))) }
}

/// Saves and loads tensors and a model's parameters in `directory` (a fresh temporary folder by default,
/// removed by the caller when it passes one; left for inspection otherwise).
func runSaveLoad(directory: String? = nil, seed: Int = 0) throws -> SaveLoadResult {
    manualSeed(seed)
    let dir = directory ?? FileManager.default.temporaryDirectory
        .appendingPathComponent("ember-saveload-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
    print("files go to", dir)

    // 5.5.1 Loading and saving tensors: one tensor, a list, a dictionary.
    let x = Tensor.arange(4)
    try save(x, to: path("x-file"))
    let x2 = try loadTensor(from: path("x-file"))
    print("x2 =", x2)

    let y = Tensor.zeros(4)
    try save([x, y], to: path("x-files"))
    let list = try loadTensors(from: path("x-files"))
    print("x2, y2 =", list[0], list[1])

    let mydict = ["x": x, "y": y]
    try save(mydict, to: path("mydict"))
    let mydict2 = try loadTensorDict(from: path("mydict"))
    for (key, value) in mydict2.sorted(by: { $0.key < $1.key }) { print("mydict2[\"\(key)\"] =", value) }

    // 5.5.2 Loading and saving model parameters: save the state dict, load it into a fresh MLP.
    let net = MLP()
    let X = Tensor.randn(2, 20)
    let Y = net(X)
    try save(net.stateDict(), to: path("mlp.params"))

    let clone = MLP()                           // initialised with other random weights
    let differedBeforeLoading = noGrad { !(clone(X) == Y).all().item(as: Bool.self) }
    try clone.loadStateDict(loadStateDict(from: path("mlp.params")))   // clone.load_state_dict(torch.load(...))
    clone.eval()
    print(clone)
    let YClone = clone(X)
    let same = YClone == Y
    print("Y_clone == Y:", same)

    // What mlp.params holds, read back as a state dict: the parameters' names and shapes.
    let saved = try loadStateDict(from: path("mlp.params"))
    print("mlp.params:", saved.map { "\($0.name) \($0.tensor.shape)" }.joined(separator: ", "))
    let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    return SaveLoadResult(directory: dir, files: files, x2: x2.scalars, x2DType: x2.dtype,
                          listValues: list.map(\.scalars),
                          dictKeys: mydict2.keys.sorted(), dictValues: mydict2.mapValues(\.scalars),
                          parameterKeys: saved.keys, parameterShapes: saved.map { $0.tensor.shape },
                          yCloneEqualsY: same.toArray(as: Bool.self), differedBeforeLoading: differedBeforeLoading,
                          yShape: Y.shape)
}
