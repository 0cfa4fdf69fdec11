// The notes' linear regression from scratch (section 3.4): synthetic data, a hand-written model, loss and
// minibatch SGD, with autograd doing the derivatives.
import Foundation
import EmberKit

/// What `runLinearRegressionScratch` printed.
struct LinearRegressionResult {
    /// The parameters the data was drawn with.
    var trueW: [Double], trueB: Double
    /// The learned weight and bias.
    var w: [Double], b: Double
    /// Mean squared loss over the whole data set after each epoch.
    var epochLosses: [Double]
}

/// Trains y = Xw + b on synthetic data with hand-written minibatch SGD.
func runLinearRegressionScratch(epochs: Int = 3, lr: Double = 0.03, batchSize: Int = 10, seed: Int = 42) throws -> LinearRegressionResult {
    manualSeed(seed)

    // Synthetic data (the notes' `synthetic_data`): y = Xw + b + ε, with ε ~ N(0, 0.01²).
    let trueW = [2.0, -3.4], trueB = 4.2
    let n = 1000
    let features = Tensor.randn(n, 2)
    let labels = (features.mv(tensor(trueW)) + trueB + Tensor.normal(std: 0.01, shape: [n])).reshape(-1, 1)
    print("features[0] =", features[0], " label[0] =", labels[0])

    // Reading minibatches: a fresh random order each epoch (the notes' `data_iter`).
    func minibatches() -> [(Tensor, Tensor)] {
        let order = Tensor.randperm(n)
        return stride(from: 0, to: n, by: batchSize).map { start in
            let idx = order[start..<Swift.min(start + batchSize, n)]
            return (features[idx], labels[idx])
        }
    }

    // The model, the loss and the optimizer, written by hand.
    let w = Tensor.normal(mean: 0, std: 0.01, shape: [2, 1]).requiresGrad_()
    let b = Tensor.zeros([1], requiresGrad: true)
    func linreg(_ X: Tensor) -> Tensor { X.matmul(w) + b }
    func squaredLoss(_ yHat: Tensor, _ y: Tensor) -> Tensor { (yHat - y.reshape(yHat.shape)).pow(2) / 2 }

    // Training: forward, mean loss over the minibatch, backward, then step without recording the update.
    var epochLosses: [Double] = []
    for epoch in 1...epochs {
        for (X, y) in minibatches() {
            let l = squaredLoss(linreg(X), y).mean()
            l.backward()
            noGrad {
                w -= lr * w.grad!
                b -= lr * b.grad!
            }
            w.zeroGrad()
            b.zeroGrad()
        }
        let trainLoss = noGrad { squaredLoss(linreg(features), labels).mean().item() }
        epochLosses.append(trainLoss)
        print("epoch \(epoch), loss \(String(format: "%f", trainLoss))")
    }

    let learnedW = w.detach().reshape(-1).scalars, learnedB = b.item()
    print("error in estimating w: \(zip(trueW, learnedW).map { $0 - $1 })")
    print("error in estimating b: \(trueB - learnedB)")
    return LinearRegressionResult(trueW: trueW, trueB: trueB, w: learnedW, b: learnedB, epochLosses: epochLosses)
}
