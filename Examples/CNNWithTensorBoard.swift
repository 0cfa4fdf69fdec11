// The notes' LeNet (section 7.6) for a few steps, logged to TensorBoard, then saved to a checkpoint and
// loaded back into a fresh model.
import Foundation
import EmberKit

/// What `runCNNWithTensorBoard` printed.
struct CNNTensorBoardResult {
    /// The loss of each training step (also logged as the scalar `train/loss`).
    var stepLosses: [Double]
    /// The TensorBoard event file and the checkpoint written.
    var eventFile: String, checkpoint: String
    /// The epoch stored in the checkpoint, as read back.
    var loadedEpoch: Int
    /// Largest |difference| between the trained model's and the reloaded model's outputs (0 when identical),
    /// and whether their predicted classes agree.
    var maxOutputDifference: Double, predictionsAgree: Bool
    /// The same difference before loading (a fresh LeNet predicts differently: the load did the work).
    var differenceBeforeLoading: Double
}

/// Trains LeNet on a few small batches, logging scalars, a histogram and the graph to `logDir`
/// (`tensorboard --logdir <logDir>`), and checks a checkpoint round trip.
func runCNNWithTensorBoard(logDir: String = "runs/examples/lenet", epochs: Int = 3, seed: Int = 0) throws -> CNNTensorBoardResult {
    manualSeed(seed)
    let net = lenet()
    print(net)

    // A small batch set: four batches of 32 images.
    let (train, test) = syntheticImageClasses(trainCount: 128, testCount: 64, seed: seed)
    let batches = Array(DataLoader(train, batchSize: 32, shuffle: false))
    let loss = CrossEntropyLoss()
    let trainer = SGD(net.parameters(), lr: 0.9)   // the notes' rate for LeNet's sigmoids

    // The writer: one event file in logDir. The graph is traced from one forward pass.
    let writer = try SummaryWriter(logDir: logDir)
    writer.addGraph(model: net, input: batches[0].0)

    var stepLosses: [Double] = []
    var step = 0
    for epoch in 1...epochs {
        for (X, y) in batches {
            trainer.zeroGrad()
            let l = loss(net(X), y)
            l.backward()
            trainer.step()
            step += 1
            stepLosses.append(l.item())
            writer.addScalar("train/loss", l.item(), step: step)
        }
        // The first convolution's weights, once per epoch: watch the distribution move in the Histograms tab.
        writer.addHistogram("conv1.weight", net.namedParameters()[0].1, step: epoch)
        print("epoch \(epoch): last loss \(String(format: "%.4f", stepLosses.last!))")
    }
    try writer.close()
    print("TensorBoard events in \(writer.eventFilePath)")

    // Checkpoint {epoch, model, optimizer} in PyTorch's layout (`torch.load` reads it), then load it back
    // into a fresh LeNet (initialised differently) and compare predictions on the test images.
    let checkpoint = URL(fileURLWithPath: logDir).appendingPathComponent("checkpoint.pt")
    try saveTrainingCheckpoint(model: net, optimizer: trainer, epoch: epochs, to: checkpoint)
    manualSeed(seed + 1)
    let restored = lenet()
    net.eval(); restored.eval()
    let differenceBeforeLoading = noGrad { (net(test.features) - restored(test.features)).abs().max().item() }
    let loadedEpoch = try loadTrainingCheckpoint(from: checkpoint, model: restored, optimizer: nil)

    let (a, b) = noGrad { (net(test.features), restored(test.features)) }
    let maxDifference = (a - b).abs().max().item()
    let predictionsAgree = a.argmax(dim: 1).scalars == b.argmax(dim: 1).scalars
    print("checkpoint \(checkpoint.path) (epoch \(loadedEpoch)): max output difference \(maxDifference), same predictions: \(predictionsAgree)")
    return CNNTensorBoardResult(stepLosses: stepLosses, eventFile: writer.eventFilePath, checkpoint: checkpoint.path,
                                loadedEpoch: loadedEpoch, maxOutputDifference: maxDifference, predictionsAgree: predictionsAgree,
                                differenceBeforeLoading: differenceBeforeLoading)
}
