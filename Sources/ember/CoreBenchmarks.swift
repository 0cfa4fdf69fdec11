// `ember bench` rows for core tensor ops (elementwise, broadcast, reductions, softmax, copies, a hand-written MLP
// step) and for kernel corners (small and skinny GEMMs, dgemm, the thread pool's round trip).
import Foundation
import EmberKit
import EmberKernels

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

/// A row timing `body(x)` on one deterministic tensor of `shape`.
private func op(_ name: String, runs: Int = 15, _ shape: [Int], _ body: @escaping (Tensor) -> Tensor) -> Benchmark {
    Benchmark(name, runs: runs) {
        let x = benchTensor(shape)
        return { _ = body(x) }
    }
}

/// A row timing `body(x, y)` on two deterministic tensors.
private func op2(_ name: String, runs: Int = 15, _ a: [Int], _ b: [Int], _ body: @escaping (Tensor, Tensor) -> Tensor) -> Benchmark {
    Benchmark(name, runs: runs) {
        let x = benchTensor(a, seed: 1), y = benchTensor(b, seed: 2)
        return { _ = body(x, y) }
    }
}

/// A row timing forward and backward of `f` with an upstream gradient of the output's shape.
private func forwardBackward(_ name: String, runs: Int = 15, _ shape: [Int], _ f: @escaping (Tensor) -> Tensor) -> Benchmark {
    Benchmark(name, runs: runs) {
        let leaf = benchTensor(shape, seed: 1).requiresGrad_(), g = benchTensor(shape, seed: 2)
        return {
            leaf.grad = nil
            f(leaf).backward(gradient: g)
        }
    }
}

/// Core tensor ops through the public API (allocation, dispatch and autograd included).
func coreBenchmarks() -> [Benchmark] {
    let m2 = [2048, 1024], tenM = [10_000_000]
    var rows: [Benchmark] = [
        op2("tensor_add_10m", tenM, tenM, +),
        op("tensor_exp_10m", tenM) { $0.exp() },
        op("tensor_sum_10m", tenM) { $0.sum() },
        op2("tensor_sub_2m", m2, m2, -),
        op2("tensor_div_2m", m2, m2) { $0 / ($1.abs() + 0.5) },
        op2("tensor_maximum_2m", m2, m2) { Tensor.maximum($0, $1) },
        op2("tensor_gt_2m", m2, m2) { $0.gt($1) },
        op("tensor_mul_scalar_2m", m2) { $0 * 0.5 },
        op("tensor_add_scalar_2m", m2) { $0 + 1 },
        op2("tensor_add_256x256", runs: 200, [256, 256], [256, 256], +),
        op("tensor_mul_scalar_256x256", runs: 200, [256, 256]) { $0 * 0.5 },
        op2("bias_add_8192x256", [8192, 256], [256], +),
        op2("bias_add_256x256", runs: 200, [256, 256], [256], +),
        op2("column_mul_2048x1000", [2048, 1000], [2048, 1], *),
        op2("channel_add_32x64x32x32", [32, 64, 32, 32], [64, 1, 1], +),
        op("relu_2m", m2) { $0.relu() },
        // ResNet-18's stem pool in the 32×32 training step, with the argmax indices its backward needs.
        op("maxpool3x3s2_indices_32x64x16x16", runs: 50, [32, 64, 16, 16]) {
            F.maxPool2dWithIndices($0, kernelSize: 3, stride: 2, padding: 1).output
        },
        op("sigmoid_2m", m2) { $0.sigmoid() },
        op("tanh_2m", m2) { $0.tanh() },
        op("log_2m", m2) { ($0.abs() + 0.1).log() },
        op("sqrt_2m", m2) { ($0.abs() + 0.1).sqrt() },
        forwardBackward("relu_fwd_bwd_2m", m2) { $0.relu() },
        forwardBackward("sigmoid_fwd_bwd_2m", m2) { $0.sigmoid() },
        forwardBackward("tanh_fwd_bwd_2m", m2) { $0.tanh() },
        op("sum_dim0_8192x256", [8192, 256]) { $0.sum(dim: 0) },
        op("sum_dim1_8192x256", [8192, 256]) { $0.sum(dim: -1) },
        op("mean_dim1_8192x256", [8192, 256]) { $0.mean(dim: -1) },
        op("amax_dim1_8192x256", [8192, 256]) { $0.amax(dim: -1) },
        op("sum_to_256x256_256", runs: 200, [256, 256]) { $0.sumTo([256]) },
        op("sum_to_32x64x32x32_64x1x1", [32, 64, 32, 32]) { $0.sumTo([64, 1, 1]) },
        op("contiguous_transposed_2048x2048", [2048, 2048]) { $0.t().contiguous() },
        op("contiguous_nhwc_32x64x32x32", [32, 64, 32, 32]) { $0.permute(0, 2, 3, 1).contiguous() },
        op("contiguous_nchw_32x32x32x64", [32, 32, 32, 64]) { $0.permute(0, 3, 1, 2).contiguous() },
        op("to_float64_2m", m2) { $0.to(.float64) },
        Benchmark("to_float32_from_float64_2m") {
            let x = benchTensor(m2).to(.float64)
            return { _ = x.to(.float32) }
        },
        Benchmark("to_float32_from_uint8_2m") {
            let x = (benchTensor(m2).abs() * 60).to(.uint8)
            return { _ = x.to(.float32) }
        },
    ]
    for classes in [10, 1000] {
        let runs = classes == 10 ? 500 : 100, shape = [256, classes]
        rows += [
            op("softmax_256x\(classes)", runs: runs, shape) { $0.softmax(dim: -1) },
            op("log_softmax_256x\(classes)", runs: runs, shape) { $0.logSoftmax(dim: -1) },
            forwardBackward("softmax_fwd_bwd_256x\(classes)", runs: runs, shape) { $0.softmax(dim: -1) },
            forwardBackward("log_softmax_fwd_bwd_256x\(classes)", runs: runs, shape) { $0.logSoftmax(dim: -1) },
        ]
    }
    // The notes' MLP written with tensor ops (784-256-10, batch 256): forward, log-softmax loss, backward, SGD.
    rows.append(Benchmark("mlp_tensor_ops_step_b256", runs: 50) {
        let x = benchTensor([256, 784], seed: 1)
        let w1 = (benchTensor([784, 256], seed: 2) * 0.05).requiresGrad_(), b1 = Tensor.zeros([256]).requiresGrad_()
        let w2 = (benchTensor([256, 10], seed: 3) * 0.1).requiresGrad_(), b2 = Tensor.zeros([10]).requiresGrad_()
        var onehot = [Float](repeating: 0, count: 2560)
        for i in 0..<256 { onehot[i * 10 + (i * 7) % 10] = 1 }
        let target = Tensor(onehot, shape: [256, 10])
        let params = [w1, b1, w2, b2]
        return {
            for p in params { p.grad = nil }
            let h = (x.mm(w1) + b1).relu()
            let loss = -((h.mm(w2) + b2).logSoftmax(dim: 1) * target).sum(dim: 1).mean()
            loss.backward()
            noGrad { for p in params { p -= p.grad! * 0.1 } }
        }
    })
    return rows
}

/// GEMM shapes the training rows do not cover (small, skinny), float64 GEMM, and the pool's dispatch latency.
func kernelCornerBenchmarks() -> [Benchmark] {
    // The last two: an LSTM step's recurrent products at batch 32, hidden 256 (h·W_hhᵀ and ∂gates·W_hh).
    let small = [(128, 128, 128), (64, 64, 64), (32, 32, 32), (16, 16, 16), (1, 512, 512), (512, 512, 1),
                 (32, 256, 1024), (32, 1024, 256)]
    return small.map { m, k, n in sgemmBenchmark("sgemm_\(m)x\(k)x\(n)", m: m, k: k, n: n) }
        + [256, 1024].map { n in
            Benchmark("dgemm_\(n)", runs: n >= 1024 ? 5 : 20, flops: 2 * Double(n * n * n)) {
                let a = Tensor.ones([n, n], dtype: .float64) * 0.5, c = Tensor.empty([n, n], dtype: .float64)
                return {
                    Gemm.dgemm(m: n, n: n, k: n, alpha: 1, a: a.pointer(as: Double.self), aRowStride: n, aColStride: 1,
                               b: a.pointer(as: Double.self), bRowStride: n, bColStride: 1, beta: 0, c: c.pointer(as: Double.self), ldc: n)
                }
            }
        }
        + [
            Benchmark("mul_10m", runs: 20) {
                let count = 10_000_000
                let a = Tensor.ones([count]), b = Tensor.ones([count]), out = Tensor.empty([count])
                return { VectorMath.binary(.mul, a.pointer(as: Float.self), aStep: 1, b.pointer(as: Float.self), bStep: 1,
                                           out.pointer(as: Float.self), count) }
            },
            // 1000 round trips per run: divide the time by 1000 for one parallelFor(2).
            Benchmark("thread_pool_round_trip_x1000", runs: 20) {
                let slots = Tensor.zeros([64], dtype: .int64)   // one counter per 128-byte line, so the two threads do not share one
                let counter = slots.pointer(as: Int64.self)
                return {
                    _ = slots
                    for _ in 0..<1000 { ThreadPool.shared.parallelFor(2) { r in counter[r.lowerBound * 16] += 1 } }
                }
            },
        ]
}
