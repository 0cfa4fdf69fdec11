// Core op benchmarks (elementwise, broadcast, reductions, softmax, copies, an MLP step), skipped unless
// EMBER_CORE_BENCH=1. Run in release mode:
//   swift build -c release --build-tests -Xswiftc -enable-testing --scratch-path .build-r
//   EMBER_CORE_BENCH=1 swift test -c release -Xswiftc -enable-testing --skip-build --scratch-path .build-r --filter CorePerfBenchmarks
// EMBER_CORE_BENCH_FILTER=softmax,sum narrows the cases by name. Prints milliseconds; asserts nothing.
import Foundation
import Testing
import Ember

private let env = ProcessInfo.processInfo.environment
private let coreBenchEnabled = env["EMBER_CORE_BENCH"] == "1"
private let coreBenchFilter = env["EMBER_CORE_BENCH_FILTER"].map { $0.split(separator: ",").map(String.init) }

/// Deterministic float32 values in about [-2, 2) (no random generator needed).
private func benchTensor(_ shape: [Int], seed: UInt32 = 1) -> Tensor {
    let n = shape.reduce(1, *)
    var state = seed &* 2654435761 | 1
    var values = [Float](repeating: 0, count: n)
    for i in 0..<n {
        state = state &* 1664525 &+ 1013904223
        values[i] = Float(state >> 8) / Float(1 << 24) * 4 - 2
    }
    return Tensor(values, shape: shape)
}

/// Median wall time in milliseconds of `body` over `repeats` runs after two warm-ups; prints it.
private func bench(_ name: String, repeats: Int = 15, _ body: () -> Void) {
    if let filter = coreBenchFilter, !filter.contains(where: { name.contains($0) }) { return }
    body(); body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-6)
    }
    times.sort()
    print(String(format: "core-bench %-44@ %9.3f ms (min %.3f)", name as NSString, times[times.count / 2], times[0]))
}

@Suite("CorePerfBenchmarks", .serialized, .enabled(if: coreBenchEnabled))
struct CorePerfBenchmarks {
    @Test func elementwise() {
        let a = benchTensor([10_000_000], seed: 1), b = benchTensor([10_000_000], seed: 2)
        bench("add 10M") { _ = a + b }
        bench("exp 10M") { _ = a.exp() }
        bench("sum 10M") { _ = a.sum() }
        let x = benchTensor([2048, 1024], seed: 3), y = benchTensor([2048, 1024], seed: 4)
        let ypos = y.abs() + 0.5
        bench("sub 2M") { _ = x - y }
        bench("div 2M") { _ = x / ypos }
        bench("maximum 2M") { _ = Tensor.maximum(x, y) }
        bench("gt 2M") { _ = x.gt(y) }
        bench("mul scalar 2M (x * 0.5)") { _ = x * 0.5 }
        bench("add scalar 2M (x + 1)") { _ = x + 1 }
        let small = benchTensor([256, 256], seed: 5), small2 = benchTensor([256, 256], seed: 6)
        bench("add 256x256", repeats: 200) { _ = small + small2 }
        bench("mul scalar 256x256", repeats: 200) { _ = small * 0.5 }
    }

    @Test func broadcasting() {
        let x = benchTensor([8192, 256], seed: 1), bias = benchTensor([256], seed: 2)
        bench("bias add [8192,256]+[256]") { _ = x + bias }
        let h = benchTensor([256, 256], seed: 3), hb = benchTensor([256], seed: 4)
        bench("bias add [256,256]+[256]", repeats: 200) { _ = h + hb }
        let m = benchTensor([2048, 1000], seed: 5), col = benchTensor([2048, 1], seed: 6)
        bench("column mul [2048,1000]*[2048,1]") { _ = m * col }
        let c4 = benchTensor([32, 64, 32, 32], seed: 7), cb = benchTensor([64, 1, 1], seed: 8)
        bench("channel add [32,64,32,32]+[64,1,1]") { _ = c4 + cb }
    }

    @Test func unary() {
        let x = benchTensor([2048, 1024], seed: 1)
        let pos = x.abs() + 0.1
        bench("relu 2M") { _ = x.relu() }
        bench("sigmoid 2M") { _ = x.sigmoid() }
        bench("tanh 2M") { _ = x.tanh() }
        bench("log 2M") { _ = pos.log() }
        bench("sqrt 2M") { _ = pos.sqrt() }
        let g = benchTensor([2048, 1024], seed: 2)
        for (name, f) in [("relu", { (t: Tensor) in t.relu() }), ("sigmoid", { $0.sigmoid() }), ("tanh", { $0.tanh() })] {
            let leaf = x.detach().requiresGrad_()
            bench("\(name) fwd+bwd 2M") {
                leaf.grad = nil
                f(leaf).backward(gradient: g)
            }
        }
    }

    @Test func reductions() {
        let x = benchTensor([8192, 256], seed: 1)
        bench("sum(dim: 0) [8192,256]") { _ = x.sum(dim: 0) }
        bench("sum(dim: -1) [8192,256]") { _ = x.sum(dim: -1) }
        bench("mean(dim: -1) [8192,256]") { _ = x.mean(dim: -1) }
        bench("max(dim: -1) [8192,256]") { _ = x.amax(dim: -1) }
        let g = benchTensor([256, 256], seed: 2)
        bench("sumTo [256,256]->[256]", repeats: 200) { _ = g.sumTo([256]) }
        let c4 = benchTensor([32, 64, 32, 32], seed: 3)
        bench("sumTo [32,64,32,32]->[64,1,1]") { _ = c4.sumTo([64, 1, 1]) }
    }

    @Test func softmax() {
        for classes in [10, 1000] {
            let x = benchTensor([256, classes], seed: 1), g = benchTensor([256, classes], seed: 2)
            let reps = classes == 10 ? 500 : 100
            bench("softmax [256,\(classes)]", repeats: reps) { _ = x.softmax(dim: -1) }
            bench("logSoftmax [256,\(classes)]", repeats: reps) { _ = x.logSoftmax(dim: -1) }
            let leaf = x.detach().requiresGrad_()
            bench("softmax fwd+bwd [256,\(classes)]", repeats: reps) { leaf.grad = nil; leaf.softmax(dim: -1).backward(gradient: g) }
            bench("logSoftmax fwd+bwd [256,\(classes)]", repeats: reps) { leaf.grad = nil; leaf.logSoftmax(dim: -1).backward(gradient: g) }
        }
    }

    @Test func copies() {
        let m = benchTensor([2048, 2048], seed: 1)
        bench("contiguous transposed [2048,2048]") { _ = m.t().contiguous() }
        let c4 = benchTensor([32, 64, 32, 32], seed: 2)
        bench("contiguous permute(0,2,3,1) [32,64,32,32]") { _ = c4.permute(0, 2, 3, 1).contiguous() }
        bench("contiguous permute(0,3,1,2) [32,32,32,64]") { _ = c4.reshape(32, 32, 32, 64).permute(0, 3, 1, 2).contiguous() }
        let x = benchTensor([2048, 1024], seed: 3)
        bench("to(float64) 2M") { _ = x.to(.float64) }
        let x64 = x.to(.float64)
        bench("to(float32) from float64 2M") { _ = x64.to(.float32) }
        let bytes = (x.abs() * 60).to(.uint8)
        bench("to(float32) from uint8 2M") { _ = bytes.to(.float32) }
    }

    /// The notes' MLP step: 784-256-10, batch 256, forward, cross-entropy (log-softmax + one-hot), backward, SGD.
    @Test func mlpStep() {
        let x = benchTensor([256, 784], seed: 1)
        let w1 = (benchTensor([784, 256], seed: 2) * 0.05).requiresGrad_(), b1 = Tensor.zeros([256]).requiresGrad_()
        let w2 = (benchTensor([256, 10], seed: 3) * 0.1).requiresGrad_(), b2 = Tensor.zeros([10]).requiresGrad_()
        var onehot = [Float](repeating: 0, count: 2560)
        for i in 0..<256 { onehot[i * 10 + (i * 7) % 10] = 1 }
        let target = Tensor(onehot, shape: [256, 10])
        let params = [w1, b1, w2, b2]
        bench("MLP 784-256-10 b256 step", repeats: 50) {
            for p in params { p.grad = nil }
            let h = (x.mm(w1) + b1).relu()
            let logits = h.mm(w2) + b2
            let loss = -(logits.logSoftmax(dim: 1) * target).sum(dim: 1).mean()
            loss.backward()
            noGrad { for p in params { p -= p.grad! * 0.1 } }
        }
    }
}
