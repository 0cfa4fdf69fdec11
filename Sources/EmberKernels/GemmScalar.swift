// GemmScalar: what the generic GEMM driver needs from Float and Double (microkernels, packing, blocking).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CEmberKernels

/// Cache blocking for one microkernel: the driver takes an mc×kc block of A (packed unless A is row-major,
/// which the microkernel reads in place) and, inside it,
/// kc-row blocks of B; the microkernel then streams one MR-row panel of A (kept in L1) across nc columns of
/// B (kept in L2). On one thread a B block is kc×nc. When threads share the packing, a B block is up to
/// 8·nc columns wide (`GemmDriver.sharedColumns`), packed by all of them together, and each thread walks
/// its columns of it nc at a time. Row-major B read by at most `GemmDriver.inPlacePanelsLimit` row panels
/// of A is not packed: the microkernel reads it in place (only a partial last NR panel is packed).
/// `mc` is a multiple of MR and `nc` of NR.
struct GemmBlocking {
    var mr: Int, nr: Int
    var mc: Int, kc: Int, nc: Int
    /// A tile `width` columns wide computes its last `width % narrowModulus` columns as dot products when they are
    /// 1 to `narrowMax` (`narrowColumns`); 0: never (`ember_sgemm_ukr_info`).
    var narrowModulus = 0, narrowMax = 0
    /// kc and nc for products of few rows of A (at most `GemmDriver.prefetchRowsLimit`) that pack row-major B block
    /// by block while prefetching the next (`forFewRows`); nil: kc and nc. Each element of B is used there by few
    /// rows, so B's blocks stream from memory and smaller ones leave more of the 512 KB L2 of a Zen 3 core to the
    /// prefetched rows: the AVX2 kernel's kc 256 / nc 128 made 64×4096·4096×4096 3.5% (two threads) and 6.4% (one)
    /// faster on Zen 3, paired, with ResNet-18 and the GRU/LSTM steps unchanged.
    var fewRows: (kc: Int, nc: Int)? = nil

    init(mr: Int, nr: Int, mc: Int, kc: Int, nc: Int, narrowModulus: Int = 0, narrowMax: Int = 0) {
        self.mr = mr
        self.nr = nr
        self.narrowModulus = narrowModulus
        self.narrowMax = narrowMax
        // EMBER_GEMM_MC/KC/NC are tuning knobs for benchmarks; the float defaults were tuned on a Zen 2/3-class
        // EPYC (32K L1, 512K L2 per core): kc 384 / nc 320 beat 256 / 384 by ~1% at 1024 and 2048. On Zen 4
        // (1M L2) the AVX-512 6×64 kernel measured kc 256, 384 and 512 within 2% of each other.
        let mc = GemmBlocking.knob("EMBER_GEMM_MC") ?? mc
        let nc = GemmBlocking.knob("EMBER_GEMM_NC") ?? nc
        self.kc = GemmBlocking.knob("EMBER_GEMM_KC") ?? kc
        self.mc = max(mr, mc / mr * mr)
        self.nc = max(nr, nc / nr * nr)
    }

    /// This blocking with `fewRows`' kc and nc.
    func forFewRows() -> GemmBlocking {
        guard let fewRows else { return self }
        var blocking = self
        blocking.kc = fewRows.kc
        blocking.nc = max(nr, fewRows.nc / nr * nr)
        blocking.fewRows = nil
        return blocking
    }

    /// How many of a tile's `width` columns the microkernel computes as dot products (0 if none).
    func narrowColumns(_ width: Int) -> Int {
        guard narrowModulus > 0 else { return 0 }
        let tail = width % narrowModulus
        return tail <= narrowMax ? tail : 0
    }

    private static func knob(_ name: String) -> Int? {
        guard let raw = getenv(name), let value = Int(String(cString: raw)), value > 0 else { return nil }
        return value
    }
}

/// An element type the packed GEMM driver supports (Float and Double).
protocol GemmScalar: BinaryFloatingPoint {
    /// The C microkernel's function-pointer type.
    associatedtype Microkernel
    /// The microkernel and its blocking for an instruction-set level.
    static func microkernel(_ isa: KernelISA) -> (kernel: Microkernel, blocking: GemmBlocking)
    /// Runs one microkernel call (see `ember_sgemm_ukr_fn` in CEmberKernels.h).
    static func call(_ kernel: Microkernel, kc: Int, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     c: UnsafeMutablePointer<Self>, ldc: Int, alpha: Self, beta: Self, mr: Int, nr: Int)
    /// Runs the microkernel's dot-product columns for A in place with B's `nr` columns k-major
    /// (`ember_sgemm_narrow_fn`); called only when the blocking has `narrowColumns`.
    static func callNarrow(_ kernel: Microkernel, kc: Int, a: UnsafePointer<Self>, lda: Int, bt: UnsafePointer<Self>,
                           ldbt: Int, c: UnsafeMutablePointer<Self>, ldc: Int, alpha: Self, beta: Self, mr: Int, nr: Int)
    /// Unpacked GEMM on the caller's thread (`ember_sgemm_small`): tiny products, matrix-vector shapes.
    static func small(_ isa: KernelISA, m: Int, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, ars: Int,
                      acs: Int, b: UnsafePointer<Self>, brs: Int, bcs: Int, beta: Self,
                      c: UnsafeMutablePointer<Self>, ldc: Int)
    /// Packs an mc×kc block of A into MR-row panels (`ember_spack_a`).
    static func packA(mc: Int, kc: Int, a: UnsafePointer<Self>, rowStride: Int, colStride: Int, mr: Int,
                      into out: UnsafeMutablePointer<Self>)
    /// Packs a kc×nc block of B into NR-column panels (`ember_spack_b`).
    static func packB(kc: Int, nc: Int, b: UnsafePointer<Self>, rowStride: Int, colStride: Int, nr: Int,
                      into out: UnsafeMutablePointer<Self>)
}

/// A float microkernel and its dot-product columns for A in place (nil at the portable level).
struct FloatMicrokernel {
    let tile: ember_sgemm_ukr_fn
    let narrow: ember_sgemm_narrow_fn?
}

extension Float: GemmScalar {
    typealias Microkernel = FloatMicrokernel

    static let kernels: [(kernel: FloatMicrokernel, blocking: GemmBlocking)] = KernelISA.allCases.map { isa in
        let info = ember_sgemm_ukr_for_level(Int32(isa.rawValue))
        var blocking = GemmBlocking(mr: Int(info.mr), nr: Int(info.nr), mc: 3072, kc: 384, nc: 320,
                                    narrowModulus: Int(info.narrow_modulus), narrowMax: Int(info.narrow_max))
        // Measured on Zen 3 (the AVX2 machines); the AVX-512 kernel keeps its blocks on Zen 4's 1 MB L2.
        if isa == .avx2 { blocking.fewRows = (kc: 256, nc: 128) }
        return (FloatMicrokernel(tile: info.fn!, narrow: info.narrow), blocking)
    }

    @inline(__always)
    static func microkernel(_ isa: KernelISA) -> (kernel: FloatMicrokernel, blocking: GemmBlocking) {
        kernels[isa.rawValue]
    }

    @inline(__always)
    static func call(_ kernel: FloatMicrokernel, kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, mr: Int, nr: Int) {
        kernel.tile(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, nr)
    }

    @inline(__always)
    static func callNarrow(_ kernel: FloatMicrokernel, kc: Int, a: UnsafePointer<Float>, lda: Int, bt: UnsafePointer<Float>,
                           ldbt: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, mr: Int, nr: Int) {
        kernel.narrow!(kc, a, lda, bt, ldbt, c, ldc, alpha, beta, mr, nr)
    }

    @inline(__always)
    static func small(_ isa: KernelISA, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, ars: Int,
                      acs: Int, b: UnsafePointer<Float>, brs: Int, bcs: Int, beta: Float,
                      c: UnsafeMutablePointer<Float>, ldc: Int) {
        ember_sgemm_small(Int32(isa.rawValue), m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, c, ldc)
    }

    @inline(__always)
    static func packA(mc: Int, kc: Int, a: UnsafePointer<Float>, rowStride: Int, colStride: Int, mr: Int,
                      into out: UnsafeMutablePointer<Float>) {
        ember_spack_a(mc, kc, a, rowStride, colStride, mr, out)
    }

    @inline(__always)
    static func packB(kc: Int, nc: Int, b: UnsafePointer<Float>, rowStride: Int, colStride: Int, nr: Int,
                      into out: UnsafeMutablePointer<Float>) {
        ember_spack_b(kc, nc, b, rowStride, colStride, nr, out)
    }
}

extension Double: GemmScalar {
    typealias Microkernel = ember_dgemm_ukr_fn

    static let kernels: [(kernel: ember_dgemm_ukr_fn, blocking: GemmBlocking)] = KernelISA.allCases.map { isa in
        let info = ember_dgemm_ukr_for_level(Int32(isa.rawValue))
        return (info.fn!, GemmBlocking(mr: Int(info.mr), nr: Int(info.nr), mc: 3072, kc: 256, nc: 192))
    }

    @inline(__always)
    static func microkernel(_ isa: KernelISA) -> (kernel: ember_dgemm_ukr_fn, blocking: GemmBlocking) {
        kernels[isa.rawValue]
    }

    @inline(__always)
    static func call(_ kernel: ember_dgemm_ukr_fn, kc: Int, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                     c: UnsafeMutablePointer<Double>, ldc: Int, alpha: Double, beta: Double, mr: Int, nr: Int) {
        kernel(kc, a, lda, b, ldb, c, ldc, alpha, beta, mr, nr)
    }

    static func callNarrow(_ kernel: ember_dgemm_ukr_fn, kc: Int, a: UnsafePointer<Double>, lda: Int, bt: UnsafePointer<Double>,
                           ldbt: Int, c: UnsafeMutablePointer<Double>, ldc: Int, alpha: Double, beta: Double, mr: Int, nr: Int) {
        preconditionFailure("the double microkernels have no dot-product columns (narrowModulus 0)")
    }

    @inline(__always)
    static func small(_ isa: KernelISA, m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, ars: Int,
                      acs: Int, b: UnsafePointer<Double>, brs: Int, bcs: Int, beta: Double,
                      c: UnsafeMutablePointer<Double>, ldc: Int) {
        ember_dgemm_small(Int32(isa.rawValue), m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, c, ldc)
    }

    @inline(__always)
    static func packA(mc: Int, kc: Int, a: UnsafePointer<Double>, rowStride: Int, colStride: Int, mr: Int,
                      into out: UnsafeMutablePointer<Double>) {
        ember_dpack_a(mc, kc, a, rowStride, colStride, mr, out)
    }

    @inline(__always)
    static func packB(kc: Int, nc: Int, b: UnsafePointer<Double>, rowStride: Int, colStride: Int, nr: Int,
                      into out: UnsafeMutablePointer<Double>) {
        ember_dpack_b(kc, nc, b, rowStride, colStride, nr, out)
    }
}
