// The notes' weight decay from scratch (section 3.7): high-dimensional linear regression with far fewer
// examples than inputs (d = 200, 20 training examples), trained with an L2 penalty λ‖w‖²/2 added by hand
// to the loss; λ = 0 overfits, λ = 3 keeps the weights small and generalises better.
import Foundation
import EmberKit

/// One training run of `runWeightDecayScratch`.
struct WeightDecayRun {
    /// The penalty's coefficient λ.
    var lambda: Double
    /// ‖w‖₂ after training (the notes print it: about 13–14 for λ = 0, about 0.4 for λ = 3).
    var weightNorm: Double
    /// (epoch, train loss, test loss) every 5 epochs, as the notes plot them (squared loss without the penalty).
    var curve: [(epoch: Int, train: Double, test: Double)]
    var trainLoss: Double { curve.last!.train }
    var testLoss: Double { curve.last!.test }
}

/// What `runWeightDecayScratch` printed.
struct WeightDecayResult {
    /// Sizes of the problem: inputs, training and test examples.
    var numInputs: Int, nTrain: Int, nTest: Int
    /// The run without the penalty (λ = 0) and with it (λ = 3).
    var withoutDecay: WeightDecayRun, withDecay: WeightDecayRun
}

/// Trains the notes' high-dimensional linear regression with λ = 0 and λ = 3 (100 epochs, lr 0.003, batches of 5).
func runWeightDecayScratch(numEpochs: Int = 100, seed: Int = 0) throws -> WeightDecayResult {
    manualSeed(seed)

    // The data: y = 0.05 + Σᵢ 0.01 xᵢ + ε, ε ~ N(0, 0.01²), with 200 inputs but only 20 training examples.
    let nTrain = 20, nTest = 100, numInputs = 200, batchSize = 5
    let trueW = Tensor.ones(numInputs, 1) * 0.01, trueB = 0.05
    func syntheticData(_ n: Int) -> (Tensor, Tensor) {     // d2l.synthetic_data
        let X = Tensor.normal(mean: 0, std: 1, shape: [n, numInputs])
        let y = X.matmul(trueW) + trueB
        y += Tensor.normal(mean: 0, std: 0.01, shape: y.shape)
        return (X, y.reshape(-1, 1))
    }
    let trainData = syntheticData(nTrain), testData = syntheticData(nTest)
    let trainIter = DataLoader(TensorDataset(trainData.0, trainData.1), batchSize: batchSize, shuffle: true)
    let testIter = DataLoader(TensorDataset(testData.0, testData.1), batchSize: batchSize)

    // The model, loss, penalty and optimizer, by hand (d2l.linreg, squared_loss, l2_penalty, sgd).
    func initParams() -> (Tensor, Tensor) {
        let w = Tensor.normal(mean: 0, std: 1, shape: [numInputs, 1]).requiresGrad_()
        let b = Tensor.zeros([1], requiresGrad: true)
        return (w, b)
    }
    func linreg(_ X: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor { X.matmul(w) + b }
    func squaredLoss(_ yHat: Tensor, _ y: Tensor) -> Tensor { (yHat - y.reshape(yHat.shape)).pow(2) / 2 }
    func l2Penalty(_ w: Tensor) -> Tensor { w.pow(2).sum() / 2 }
    func sgd(_ params: [Tensor], lr: Double, batchSize: Int) {
        noGrad {
            for param in params {
                param -= lr * param.grad! / Double(batchSize)
                param.grad!.zero_()
            }
        }
    }
    func evaluateLoss(_ net: (Tensor) -> Tensor, _ batches: some Sequence<(Tensor, Tensor)>) -> Double {
        let metric = Accumulator(2)
        noGrad {
            for (X, y) in batches {
                let l = squaredLoss(net(X), y)
                metric.add(l.sum().item(), Double(l.numel))
            }
        }
        return metric[0] / metric[1]
    }

    func train(lambd: Double) -> WeightDecayRun {
        let (w, b) = initParams()
        let net = { (X: Tensor) in linreg(X, w, b) }
        let lr = 0.003
        var curve: [(epoch: Int, train: Double, test: Double)] = []
        for epoch in 0..<numEpochs {
            for (X, y) in trainIter {
                // The L2 penalty is added to every example's loss; broadcasting does the rest.
                let l = squaredLoss(net(X), y) + lambd * l2Penalty(w)
                l.sum().backward()
                sgd([w, b], lr: lr, batchSize: batchSize)
            }
            if (epoch + 1) % 5 == 0 || epoch == numEpochs - 1 {
                curve.append((epoch + 1, evaluateLoss(net, trainIter), evaluateLoss(net, testIter)))
            }
        }
        let norm = w.detach().norm().item()
        print("λ = \(lambd): L2 norm of w: \(norm)")
        print(String(format: "  epoch %d: train loss %.4g, test loss %.4g", curve.last!.epoch, curve.last!.train, curve.last!.test))
        return WeightDecayRun(lambda: lambd, weightNorm: norm, curve: curve)
    }

    // Without the penalty the 20 examples pin w only in 20 of its 200 directions: the rest keep their random
    // start and the test loss stays high. With λ = 3 every step also shrinks w by the factor 1 − lr·λ.
    let withoutDecay = train(lambd: 0)
    let withDecay = train(lambd: 3)
    return WeightDecayResult(numInputs: numInputs, nTrain: nTrain, nTest: nTest, withoutDecay: withoutDecay, withDecay: withDecay)
}
