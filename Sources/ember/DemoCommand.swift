// `ember demo`: the notes' linear regression from scratch, printed step by step.
import ArgumentParser
import Foundation
import EmberKit

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train the notes' linear regression from scratch and print the result.")

    @Option(help: "Number of epochs.") var epochs = 3
    @Option(help: "Learning rate.") var lr = 0.03

    func run() throws {
        // Synthetic data y = Xw + b + noise, as in the notes (true w = [2, -3.4], b = 4.2).
        let trueW = tensor([2.0, -3.4]), trueB = 4.2
        let n = 1000
        var state: UInt64 = 42
        func uniform() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        func gaussian() -> Double { (-2 * Foundation.log(Swift.max(uniform(), 1e-300))).squareRoot() * Foundation.cos(2 * Double.pi * uniform()) }
        let X = Tensor((0..<n * 2).map { _ in gaussian() }, shape: [n, 2]).float()
        let noise = Tensor((0..<n).map { _ in gaussian() * 0.01 }, shape: [n]).float()
        let y = (X.mv(trueW) + trueB + noise).reshape(-1, 1)

        let w = Tensor.zeros([2, 1], requiresGrad: true)
        let b = Tensor.zeros([1], requiresGrad: true)
        let batch = 10
        for epoch in 0..<epochs {
            for start in Swift.stride(from: 0, to: n, by: batch) {
                let xb = X.narrow(0, start: start, length: batch), yb = y.narrow(0, start: start, length: batch)
                let loss = ((xb.matmul(w) + b - yb).pow(2) / 2).sum()
                loss.backward()
                noGrad {
                    w -= w.grad! * (lr / Double(batch))
                    b -= b.grad! * (lr / Double(batch))
                }
                w.zeroGrad(); b.zeroGrad()
            }
            let trainLoss = noGrad { ((X.matmul(w) + b - y).pow(2) / 2).mean().item() }
            print("epoch \(epoch + 1), loss \(String(format: "%.6f", trainLoss))")
        }
        print("w: \(w.detach().reshape(-1).scalars), true w: \(trueW.scalars)")
        print("b: \(b.detach().scalars), true b: \(trueB)")
    }
}
