// The notes' polynomial regression ("model selection, underfitting and overfitting"): labels from a cubic
// y = 5 + 1.2x − 3.4x²/2! + 5.6x³/3! + ε, features xⁱ/i! for i < 20, and three fits by minibatch SGD —
// the right degree (normal), a line (underfitting) and all 20 features (overfitting).
import Foundation
import EmberKit

/// One fit of `runPolynomialRegression`.
struct PolynomialFit {
    /// The learned weights (`net[0].weight`), one per feature used.
    var weight: [Double]
    /// The curves the notes plot: (epoch, train loss, test loss) at epoch 1 and every 20 epochs.
    var curve: [(epoch: Int, train: Double, test: Double)]
    /// The losses after the last epoch (mean squared error over each set).
    var trainLoss: Double { curve.last!.train }
    var testLoss: Double { curve.last!.test }
}

/// What `runPolynomialRegression` printed.
struct PolynomialRegressionResult {
    /// The true weights of the 20 features (the first four non-zero).
    var trueW: [Double]
    /// `poly_features[:2, :]`: the first two rows, and their labels.
    var firstFeatures: [[Double]], firstLabels: [Double]
    /// Degree 3 (features 0..<4), degree 1 (features 0..<2), degree 19 (all 20 features).
    var normal: PolynomialFit, linear: PolynomialFit, overfit: PolynomialFit
}

/// Generates the data and trains the three models; the default epochs are the notes' (400, 400, 1500).
func runPolynomialRegression(normalEpochs: Int = 400, linearEpochs: Int = 400, overfitEpochs: Int = 1500,
                             seed: Int = 0) throws -> PolynomialRegressionResult {
    manualSeed(seed)

    // The data: x ~ N(0, 1), features xⁱ / i! (the factorial keeps large powers from exploding),
    // labels from the first four weights plus noise N(0, 0.1²). Computed in float64 like the notes' numpy,
    // then converted to float32 for training.
    let maxDegree = 20
    let nTrain = 100, nTest = 100
    var trueW = [Double](repeating: 0, count: maxDegree)
    trueW[0..<4] = [5, 1.2, -3.4, 5.6]

    let features = Tensor.randn([nTrain + nTest, 1], dtype: .float64)
    let powers = Tensor.arange(maxDegree, dtype: .float64).reshape(1, -1)
    let factorials = tensor((0..<maxDegree).map { i in (0..<i).reduce(1.0) { $0 * Double($1 + 1) } }).double()  // Γ(i + 1) = i!
    let polyFeatures64 = features.pow(powers) / factorials
    let labels64 = polyFeatures64.matmul(tensor(trueW).double()) + Tensor.normal(std: 0.1, shape: [nTrain + nTest], dtype: .float64)
    let polyFeatures = polyFeatures64.float(), labels = labels64.float()
    print("features[:2] =", features[0..<2])
    print("poly_features[:2, :] =", polyFeatures[0..<2])
    print("labels[:2] =", labels[0..<2])

    // The notes' evaluate_loss: the loss summed over a data set, divided by the number of examples.
    let loss = MSELoss(reduction: .none)
    func evaluateLoss(_ net: Module, _ batches: some Sequence<(Tensor, Tensor)>) -> Double {
        let metric = Accumulator(2)             // sum of losses, number of losses
        noGrad {
            for (X, y) in batches {
                let out = net(X)
                let l = loss(out, y.reshape(out.shape))
                metric.add(l.sum().item(), Double(l.numel))
            }
        }
        return metric[0] / metric[1]
    }

    // The notes' train: a linear layer without bias over the chosen features, squared loss, SGD at 0.01,
    // minibatches of 10; the train and test losses recorded at epoch 1 and every 20 epochs.
    func train(_ columns: Range<Int>, numEpochs: Int) -> PolynomialFit {
        let trainFeatures = polyFeatures[0..<nTrain, columns], testFeatures = polyFeatures[nTrain..., columns]
        let trainLabels = labels[0..<nTrain], testLabels = labels[nTrain...]
        let net = Sequential { Linear(columns.count, 1, bias: false) }
        let batchSize = Swift.min(10, trainLabels.shape[0])
        let trainIter = DataLoader(TensorDataset(trainFeatures, trainLabels.reshape(-1, 1)), batchSize: batchSize, shuffle: true)
        let testIter = DataLoader(TensorDataset(testFeatures, testLabels.reshape(-1, 1)), batchSize: batchSize)
        let trainer = SGD(net.parameters(), lr: 0.01)
        var curve: [(epoch: Int, train: Double, test: Double)] = []
        for epoch in 0..<numEpochs {
            for (X, y) in trainIter {
                trainer.zeroGrad()
                let l = loss(net(X), y)
                l.mean().backward()
                trainer.step()
            }
            if epoch == 0 || (epoch + 1) % 20 == 0 || epoch == numEpochs - 1 {
                curve.append((epoch + 1, evaluateLoss(net, trainIter), evaluateLoss(net, testIter)))
            }
        }
        let weight = net[0].weight
        print("weight:", weight)
        print(String(format: "epoch %d: train loss %.4f, test loss %.4f", curve.last!.epoch, curve.last!.train, curve.last!.test))
        return PolynomialFit(weight: weight.scalars, curve: curve)
    }

    print("-- third-order polynomial (normal): features 1, x, x²/2!, x³/3!")
    let normal = train(0..<4, numEpochs: normalEpochs)
    print("-- linear (underfitting): features 1, x")
    let linear = train(0..<2, numEpochs: linearEpochs)
    print("-- all 20 features (overfitting)")
    let overfit = train(0..<maxDegree, numEpochs: overfitEpochs)

    return PolynomialRegressionResult(trueW: trueW, firstFeatures: [polyFeatures[0].scalars, polyFeatures[1].scalars],
                                      firstLabels: labels[0..<2].scalars, normal: normal, linear: linear, overfit: overfit)
}
