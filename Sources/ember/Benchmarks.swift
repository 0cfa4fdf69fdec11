// The benchmark workloads named by the performance issue, with PyTorch's definitions.
import Foundation
import EmberKit
import EmberKernels

/// One named workload: `setup` builds its inputs once and returns the closure that is timed.
struct Benchmark {
    let name: String
    let defaultRuns: Int
    /// Floating-point operations per run, for GFLOP/s (nil when not meaningful).
    let flops: Double?
    let skipReason: () -> String?
    let setup: () -> () -> Void
    /// For workloads timed by another process (MPI jobs): returns the median seconds of `runs`, or nil on failure.
    var external: ((Int) -> Double?)? = nil

    init(_ name: String, runs: Int = 10, flops: Double? = nil, skipReason: @escaping () -> String? = { nil },
         setup: @escaping () -> () -> Void) {
        self.name = name; self.defaultRuns = runs; self.flops = flops; self.skipReason = skipReason; self.setup = setup
    }

    /// A row whose timing comes from another process (`external(runs)` returns the median seconds).
    init(_ name: String, runs: Int, skipReason: @escaping () -> String?, external: @escaping (Int) -> Double?) {
        self.init(name, runs: runs, skipReason: skipReason) { {} }
        self.external = external
    }

    func measure(runs: Int) -> BenchmarkResult {
        if let external {
            let median = external(runs) ?? .nan
            return BenchmarkResult(name: name, medianSeconds: median, runs: runs, gflops: flops.map { $0 / median / 1e9 })
        }
        let body = setup()
        // Warm up for at least 3 runs and ~0.2 s: the first calls in a process also start the thread pool's
        // workers and fault in the GEMM packing buffers, which PyTorch's warm-up absorbs the same way.
        let warmStart = DispatchTime.now().uptimeNanoseconds
        var warmRuns = 0
        while warmRuns < 3 || (DispatchTime.now().uptimeNanoseconds - warmStart < 200_000_000 && warmRuns < 50) {
            body()
            warmRuns += 1
        }
        var times: [Double] = []
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        return BenchmarkResult(name: name, medianSeconds: median, runs: runs, gflops: flops.map { $0 / median / 1e9 })
    }
}

struct BenchmarkResult {
    let name: String, medianSeconds: Double, runs: Int, gflops: Double?
    var tableLine: String {
        let g = gflops.map { String(format: "  %7.1f GFLOP/s", $0) } ?? ""
        // Pad to 32 columns like the PyTorch script's `{name:<32}`; longer names are kept whole, not cut.
        return name.padding(toLength: Swift.max(32, name.count + 1), withPad: " ", startingAt: 0) + String(format: "%10.3f ms", medianSeconds * 1000) + g
    }
    static func json(_ results: [BenchmarkResult]) -> String {
        "[" + results.map { r in
            var s = "{\"name\": \"\(r.name)\", \"median_s\": \(r.medianSeconds), \"runs\": \(r.runs)"
            if let g = r.gflops { s += ", \"gflops\": \(g)" }
            return s + "}"
        }.joined(separator: ", ") + "]"
    }
}

/// sgemm m×k · k×n on contiguous float32 matrices.
func sgemmBenchmark(_ name: String, m: Int, k: Int, n: Int) -> Benchmark {
    Benchmark(name, runs: m * n * k >= 1 << 30 ? 5 : 20, flops: 2 * Double(m) * Double(n) * Double(k)) {
        let a = Tensor.ones([m, k]) * 0.5, b = Tensor.ones([k, n]) * 0.25
        let c = Tensor.empty([m, n])
        return {
            Gemm.sgemm(m: m, n: n, k: k, alpha: 1, a: a.pointer(as: Float.self), aRowStride: k, aColStride: 1,
                       b: b.pointer(as: Float.self), bRowStride: n, bColStride: 1, beta: 0, c: c.pointer(as: Float.self), ldc: n)
        }
    }
}

func allBenchmarks() -> [Benchmark] {
    let tenM = 10_000_000
    return [
        sgemmBenchmark("sgemm_256", m: 256, k: 256, n: 256),
        sgemmBenchmark("sgemm_512", m: 512, k: 512, n: 512),
        sgemmBenchmark("sgemm_1024", m: 1024, k: 1024, n: 1024),
        sgemmBenchmark("sgemm_2048", m: 2048, k: 2048, n: 2048),
        sgemmBenchmark("sgemm_256x784x256", m: 256, k: 784, n: 256),
        sgemmBenchmark("sgemm_64x4096x4096", m: 64, k: 4096, n: 4096),
        Benchmark("add_10m", runs: 20) {
            let a = Tensor.ones([tenM]), b = Tensor.ones([tenM]), out = Tensor.empty([tenM])
            return { VectorMath.binary(.add, a.pointer(as: Float.self), aStep: 1, b.pointer(as: Float.self), bStep: 1,
                                      out.pointer(as: Float.self), tenM) }
        },
        Benchmark("exp_10m", runs: 20) {
            let a = Tensor.ones([tenM]) * 0.5, out = Tensor.empty([tenM])
            return { VectorMath.unary(.exp, a.pointer(as: Float.self), out.pointer(as: Float.self), tenM) }
        },
        Benchmark("sum_10m", runs: 20) {
            let a = Tensor.ones([tenM])
            return { _ = VectorMath.sum(a.pointer(as: Float.self), tenM) }
        },
    ] + kernelCornerBenchmarks() + coreBenchmarks() + trainingBenchmarks() + textBenchmarks() + sequenceBenchmarks()
        + distributedBenchmarks()
}

/// One SGD training step (forward, cross-entropy, backward, update) of `model` on a fixed random batch.
func trainStepBenchmark(_ name: String, runs: Int, model: @escaping () -> Module, input: [Int], classes: Int = 10) -> Benchmark {
    Benchmark(name, runs: runs) {
        manualSeed(0)
        let net = model()
        net.train()
        let x = Tensor.randn(input)
        let y = Tensor.randint(low: 0, high: classes, shape: [input[0]])
        let opt = SGD(net.parameters(), lr: 0.01)
        return {
            opt.zeroGrad()
            let loss = F.crossEntropy(net(x), y)
            loss.backward()
            opt.step()
        }
    }
}

/// Train-step, inference and data benchmarks (the notes' workloads, with PyTorch's definitions).
func trainingBenchmarks() -> [Benchmark] {
    [
        trainStepBenchmark("mlp_train_step_b256", runs: 50, model: { mlp() }, input: [256, 1, 28, 28]),
        trainStepBenchmark("lenet_train_step_b256", runs: 20, model: { lenet() }, input: [256, 1, 28, 28]),
        trainStepBenchmark("resnet18_train_step_b32_32px", runs: 5, model: { ResNet18(numClasses: 10) }, input: [32, 3, 32, 32]),
        Benchmark("resnet18_infer_b1_224", runs: 10) {
            manualSeed(0)
            let net = ResNet18(numClasses: 10).eval()
            let x = Tensor.randn([1, 3, 224, 224])
            return { noGrad { _ = net(x) } }
        },
        Benchmark("fashion_mnist_pass_b256_w2", runs: 3, skipReason: {
            fashionMNISTRoot() == nil ? "set EMBER_DATA_DIR to the folder holding fashion-mnist/" : nil
        }) {
            // Reading the files is setup, as in the PyTorch measurement; the timed part is one shuffled pass.
            let train = try! FashionMNIST(root: fashionMNISTRoot()!, train: true, transform: ToTensor())
            let loader = DataLoader(train, batchSize: 256, shuffle: true, numWorkers: 2)
            return { for (x, _) in loader { _ = x } }
        },
    ]
}

/// `$EMBER_DATA_DIR/fashion-mnist` when it holds the IDX files.
func fashionMNISTRoot() -> String? {
    guard let d = ProcessInfo.processInfo.environment["EMBER_DATA_DIR"] else { return nil }
    let root = d + "/fashion-mnist"
    return FileManager.default.fileExists(atPath: root + "/train-images-idx3-ubyte.gz") ? root : nil
}
