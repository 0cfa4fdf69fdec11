// The benchmark workloads named by the performance issue, with PyTorch's definitions.
import Foundation
import EmberKit
import EmberKernels

/// One named workload: `setup` builds its inputs once and returns the closure that is timed.
/// CPU seconds used so far by all threads of this process: on one thread, a run's compute time without the time
/// a shared machine's other work takes from it.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

struct Benchmark {
    let name: String
    let defaultRuns: Int
    /// Floating-point operations per run, for GFLOP/s and the fraction of `fma_peak` (nil when not meaningful).
    let flops: Double?
    /// Bytes a run must move to or from memory at least, for GB/s and the fraction of `stream_copy` (nil for
    /// workloads that are not memory-bound).
    var bytes: Double? = nil
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

    /// - Parameter cpuTime: Time each run by the process's CPU time instead of the wall clock (see `Bench.cpuTime`).
    func measure(runs: Int, cpuTime: Bool = false) -> BenchmarkResult {
        if let external {
            let median = external(runs) ?? .nan
            return result(median: median, runs: runs)
        }
        let body = setup()
        Self.warmUp(body)
        var times: [Double] = []
        let clock = Self.clock(cpuTime: cpuTime)
        for _ in 0..<runs {
            let t0 = clock()
            body()
            times.append(clock() - t0)
        }
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        return result(median: median, runs: runs)
    }

    /// Times `runs` pairs of runs, one with `ExperimentSwitch.isOn` off (A) and one with it on (B), back to back in
    /// alternating order, after warming both up. Nil for rows timed in another process.
    func measurePaired(runs: Int, cpuTime: Bool = false) -> PairedTiming? {
        if external != nil { return nil }
        let body = setup()
        defer { ExperimentSwitch.isOn = false }
        for on in [false, true] {
            ExperimentSwitch.isOn = on
            Self.warmUp(body)
        }
        let clock = Self.clock(cpuTime: cpuTime)
        var timing = PairedTiming(name: name)
        for pair in 0..<runs {
            var a = 0.0, b = 0.0
            for on in pair % 2 == 0 ? [false, true] : [true, false] {
                ExperimentSwitch.isOn = on
                let t0 = clock()
                body()
                let elapsed = clock() - t0
                if on { b = elapsed } else { a = elapsed }
            }
            timing.add(a: a, b: b)
        }
        return timing
    }

    /// Warms up for at least 3 runs and ~0.2 s: the first calls in a process also start the thread pool's
    /// workers and fault in the GEMM packing buffers, which PyTorch's warm-up absorbs the same way.
    private static func warmUp(_ body: () -> Void) {
        let warmStart = DispatchTime.now().uptimeNanoseconds
        var warmRuns = 0
        while warmRuns < 3 || (DispatchTime.now().uptimeNanoseconds - warmStart < 200_000_000 && warmRuns < 50) {
            body()
            warmRuns += 1
        }
    }

    private static func clock(cpuTime: Bool) -> () -> Double {
        cpuTime ? processCPUSeconds : { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    }

    private func result(median: Double, runs: Int) -> BenchmarkResult {
        BenchmarkResult(name: name, medianSeconds: median, runs: runs, gflops: flops.map { $0 / median / 1e9 },
                        gbps: bytes.map { $0 / median / 1e9 })
    }
}

/// The machine's limits, measured first so every GEMM and memory-bound row can be read as a fraction of them.
func machineLimitBenchmarks() -> [Benchmark] {
    // 25 MFLOP per AVX-512 thread, a quarter of a millisecond: shorter than the scheduler's time slice on a
    // shared machine, so the median of many runs is the unpreempted rate (long runs measure the machine's
    // other load as much as the loop).
    let iterations = 1 << 16
    let copyLength = 10_000_000
    var copy = Benchmark(BenchmarkResult.streamCopyName, runs: 20) {
        let a = Tensor.ones([copyLength]), out = Tensor.empty([copyLength])
        return { MachineLimits.streamCopy(a.pointer(as: Float.self), out.pointer(as: Float.self), copyLength) }
    }
    copy.bytes = 8 * Double(copyLength)
    return [
        Benchmark(BenchmarkResult.fmaPeakName, runs: 100,
                  flops: Double(ThreadPool.shared.threadCount) * MachineLimits.flopsPerThread(iterations: iterations)) {
            { MachineLimits.fmaPeak(iterations: iterations) }
        },
        copy,
    ]
}

/// A memory-bound row over 10M float32 elements that moves `bytesPerElement` bytes per element at least.
func memoryBenchmark(_ name: String, bytesPerElement: Double, runs: Int = 20,
                     setup: @escaping (Int) -> () -> Void) -> Benchmark {
    let n = 10_000_000
    var bench = Benchmark(name, runs: runs) { setup(n) }
    bench.bytes = bytesPerElement * Double(n)
    return bench
}

/// One optimizer step on a single parameter of `n` float32 elements with a fixed gradient.
func optimizerStep(_ n: Int, _ makeOptimizer: ([Tensor]) -> Optimizer) -> () -> Void {
    let p = Tensor.ones([n])
    p.grad = Tensor.ones([n]) * 0.01
    let opt = makeOptimizer([p])
    return { opt.step() }
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
    machineLimitBenchmarks() + [
        sgemmBenchmark("sgemm_256", m: 256, k: 256, n: 256),
        sgemmBenchmark("sgemm_512", m: 512, k: 512, n: 512),
        sgemmBenchmark("sgemm_1024", m: 1024, k: 1024, n: 1024),
        sgemmBenchmark("sgemm_2048", m: 2048, k: 2048, n: 2048),
        sgemmBenchmark("sgemm_256x784x256", m: 256, k: 784, n: 256),
        sgemmBenchmark("sgemm_64x4096x4096", m: 64, k: 4096, n: 4096),
        // Bytes per element: each input read once, each output written once (float32 = 4 bytes).
        memoryBenchmark("add_10m", bytesPerElement: 12) { n in
            let a = Tensor.ones([n]), b = Tensor.ones([n]), out = Tensor.empty([n])
            return { VectorMath.binary(.add, a.pointer(as: Float.self), aStep: 1, b.pointer(as: Float.self), bStep: 1,
                                      out.pointer(as: Float.self), n) }
        },
        memoryBenchmark("exp_10m", bytesPerElement: 8) { n in
            let a = Tensor.ones([n]) * 0.5, out = Tensor.empty([n])
            return { VectorMath.unary(.exp, a.pointer(as: Float.self), out.pointer(as: Float.self), n) }
        },
        memoryBenchmark("sum_10m", bytesPerElement: 4) { n in
            let a = Tensor.ones([n])
            return { _ = VectorMath.sum(a.pointer(as: Float.self), n) }
        },
        // PyTorch's twin: `out.copy_(a)` into a preallocated float64 tensor.
        memoryBenchmark("cast_f32_f64_10m", bytesPerElement: 12) { n in
            let a = Tensor.ones([n]) * 0.5, out = Tensor.empty([n], dtype: .float64)
            return { _ = out.copy_(a) }
        },
        // Reads p, grad and the momentum buffer, writes p and the buffer.
        memoryBenchmark("sgd_momentum_step_10m", bytesPerElement: 20) { n in
            optimizerStep(n) { SGD($0, lr: 0.01, momentum: 0.9) }
        },
        // Reads p, grad and both moments, writes p and both moments.
        memoryBenchmark("adam_step_10m", bytesPerElement: 28) { n in
            optimizerStep(n) { Adam($0, lr: 1e-3) }
        },
    ] + kernelCornerBenchmarks() + coreBenchmarks() + conv3x3Benchmarks() + conv3x3WeightGradientBenchmarks() + lenetConvolutionBenchmarks() + resnet18ConvolutionBenchmarks() + trainingBenchmarks() + textBenchmarks()
        + sequenceBenchmarks() + distributedBenchmarks()
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
