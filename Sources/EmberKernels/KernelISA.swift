// KernelISA: which instruction set the C kernels run with, detected once at run time.
import CEmberKernels

/// The instruction-set level of Ember's C kernels (GEMM microkernels, vectorized elementwise loops).
///
/// The library picks the best level the CPU supports at first use, like PyTorch's per-ISA ATen kernels;
/// the environment variable `EMBER_KERNELS=portable|avx2|avx512` forces a lower one. Every kernel entry
/// point also has an overload taking an explicit `KernelISA`, so one test process can check every level
/// the machine has:
/// ```swift
/// for isa in KernelISA.available { Gemm.sgemm(..., isa: isa) }
/// ```
public enum KernelISA: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    /// Plain C, compiled for the baseline target; runs anywhere.
    case portable = 0
    /// x86-64 AVX2 with FMA (256-bit vectors).
    case avx2 = 1
    /// x86-64 AVX-512F with FMA (512-bit vectors).
    case avx512 = 2

    /// The level the kernels use by default: the best the hardware supports, lowered by `EMBER_KERNELS`.
    public static let active: KernelISA = KernelISA(rawValue: Int(ember_cpu_level())) ?? .portable

    /// The best level the hardware supports, ignoring `EMBER_KERNELS`.
    public static let hardware: KernelISA = KernelISA(rawValue: Int(ember_cpu_hw_level())) ?? .portable

    /// Every level this machine can run, lowest first (tests run each of them).
    public static var available: [KernelISA] { allCases.filter { $0 <= hardware } }

    /// Orders levels from portable (lowest) to AVX-512 (highest).
    public static func < (lhs: KernelISA, rhs: KernelISA) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The level's name as `EMBER_KERNELS` spells it.
    public var description: String {
        switch self {
        case .portable: return "portable"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }
}

/// Stops with a message naming the kernel, in debug and release builds alike (`precondition` drops its
/// message in release builds).
@inline(__always)
func kernelCheck(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
