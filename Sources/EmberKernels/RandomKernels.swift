// RandomKernels: the Box-Muller step of PyTorch's normal fill, rounded as PyTorch's x86 kernel rounds.
import CEmberKernels

/// Kernels behind `randn`/`normal_`.
public enum RandomKernels {
    /// Turns `blocks` consecutive blocks of 16 uniforms in [0, 1) into normals in place, bit for bit as
    /// PyTorch's x86 CPU `normal_fill` does (its `NormalFill16<float>`: Cephes-style log and sincos from
    /// `avx_mathfun.h`, with the multiply-adds its compiled kernel fuses).
    ///
    /// Within a block, values `j` and `j + 8` (`j < 8`) become `mean + std * r cos t` and `mean + std * r sin t`
    /// with `r = sqrt(-2 log(1 - u_j))`, `t = 2 pi u_(j+8)`. Every `isa` gives the same bits.
    ///
    /// - Parameters:
    ///   - data: The uniforms, replaced by normals.
    ///   - blocks: The number of 16-value blocks.
    ///   - mean: The mean of the normals.
    ///   - std: Their standard deviation.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func boxMuller16(_ data: UnsafeMutablePointer<Float>, blocks: Int, mean: Float, std: Float,
                                   isa: KernelISA = .active) {
        guard blocks > 0 else { return }
        ember_normal_fill16_f32(Int32(isa.rawValue), data, blocks, mean, std)
    }
}

extension RandomKernels {
    /// Fills `count` floats with `from + span · u`, `u` uniform in [0, 1) from 24 bits of each 32-bit Mersenne Twister
    /// output (one fused multiply-add, as PyTorch's `uniform_`). `state` holds the twister's 624 words and `index`
    /// the next word to use (624 means "twist first"); both advance.
    ///
    /// - Parameters:
    ///   - state: The twister's 624 words (advanced).
    ///   - index: The next word to use; 624 means twist first (advanced).
    ///   - out: The values to write.
    ///   - count: The number of values.
    ///   - from: The lower bound.
    ///   - span: The width of the interval.
    ///   - isa: The instruction-set level to use (clamped to the CPU's).
    public static func mt19937Uniform(state: UnsafeMutablePointer<UInt32>, index: inout Int,
                                      _ out: UnsafeMutablePointer<Float>, count: Int, from: Float = 0, span: Float = 1,
                                      isa: KernelISA = .active) {
        var i = index
        ember_mt19937_uniform_f32(Int32(isa.rawValue), state, &i, out, count, from, span)
        index = i
    }

    /// Fills `count` doubles with `from + span · u`, `u` uniform in [0, 1) from 53 bits of two outputs (first high).
    ///
    /// - Parameters:
    ///   - state: The twister's 624 words (advanced).
    ///   - index: The next word to use; 624 means twist first (advanced).
    ///   - out: The values to write.
    ///   - count: The number of values.
    ///   - from: The lower bound.
    ///   - span: The width of the interval.
    public static func mt19937Uniform(state: UnsafeMutablePointer<UInt32>, index: inout Int,
                                      _ out: UnsafeMutablePointer<Double>, count: Int, from: Double = 0, span: Double = 1) {
        var i = index
        ember_mt19937_uniform_f64(state, &i, out, count, from, span)
        index = i
    }
}
