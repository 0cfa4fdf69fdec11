// Generator: a seedable Mersenne Twister (mt19937) with PyTorch's CPU seeding, and the global default generator.
import Foundation
import EmberKernels

/// A pseudo-random number generator with PyTorch's CPU stream (`torch.Generator()`).
///
/// The engine is the 32-bit Mersenne Twister (mt19937), seeded exactly as PyTorch's `CPUGeneratorImpl`
/// (`state[0] = seed & 0xffffffff`, Knuth's multiplier for the rest), so `manualSeed(0)` followed by
/// `Tensor.rand(3)` gives PyTorch's numbers. 64-bit draws combine two 32-bit outputs, first one high,
/// as PyTorch's `random64()` does. Like PyTorch, the generator also caches the second Box-Muller value
/// of scalar normal sampling, and `manualSeed` clears that cache.
///
/// Every method takes the generator's lock, so one generator may be shared by DataLoader worker threads;
/// bulk fills take the lock once (`withLockedEngine`), as PyTorch's kernels hold `generator->mutex_`.
///
/// ```swift
/// let g = Generator(seed: 42)
/// let x = Tensor.rand(3, generator: g)   // tensor([0.8823, 0.9150, 0.3829]) as in PyTorch
/// ```
public final class Generator: @unchecked Sendable {
    /// PyTorch's default seed for a fresh generator (`default_rng_seed_val`).
    public static let defaultSeed: UInt64 = 67280421310721

    /// The process-wide default generator used when an op gets no `generator:` (`torch.default_generator`).
    ///
    /// It is global (not per thread), as in PyTorch, so `manualSeed` makes a whole program reproducible;
    /// its lock makes it safe to use from worker threads.
    public static let `default` = Generator()

    /// A generator bound by `withGenerator(_:_:)` for the current task or thread, if any.
    @TaskLocal static var scoped: Generator?

    /// The generator ops use when none is passed: the one bound by `withGenerator`, else `Generator.default`.
    public static var current: Generator { scoped ?? .default }

    private let lock = NSLock()
    private var engine: MT19937
    private var seedValue: UInt64

    /// A generator seeded with `seed` (PyTorch's default seed when omitted).
    public init(seed: UInt64 = Generator.defaultSeed) {
        seedValue = seed
        engine = MT19937(seed: seed)
    }

    /// Re-seeds this generator and returns it (`g.manual_seed(s)`); negative seeds are taken modulo 2^64.
    @discardableResult
    public func manualSeed<I: BinaryInteger>(_ seed: I) -> Generator {
        let s = UInt64(truncatingIfNeeded: seed)
        lock.lock(); defer { lock.unlock() }
        seedValue = s
        engine = MT19937(seed: s)
        return self
    }

    /// Seeds from a non-deterministic source and returns the seed used (`g.seed()`).
    @discardableResult
    public func seed() -> UInt64 {
        var s: UInt64 = 0
        withUnsafeMutableBytes(of: &s) { buf in
            for i in 0..<buf.count { buf[i] = UInt8.random(in: 0...255) }
        }
        manualSeed(s)
        return s
    }

    /// The seed last given to `manualSeed` (or the constructor) (`g.initial_seed()`).
    public var initialSeed: UInt64 { lock.lock(); defer { lock.unlock() }; return seedValue }

    /// A snapshot of the full engine state (`g.get_state()`), restorable with `setState`.
    public func getState() -> GeneratorState {
        lock.lock(); defer { lock.unlock() }
        return GeneratorState(engine: engine, seed: seedValue)
    }

    /// Restores a snapshot taken with `getState` (`g.set_state(s)`).
    public func setState(_ state: GeneratorState) {
        lock.lock(); defer { lock.unlock() }
        engine = state.engine
        seedValue = state.seed
    }

    /// The next 32 random bits (PyTorch's `random()`).
    public func nextUInt32() -> UInt32 { withLockedEngine { $0.next32() } }
    /// The next 64 random bits from two 32-bit draws, first one high (PyTorch's `random64()`).
    public func nextUInt64() -> UInt64 { withLockedEngine { $0.next64() } }

    /// Runs `body` with exclusive access to the engine: bulk fills take the lock once for all elements.
    public func withLockedEngine<R>(_ body: (inout MT19937) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&engine)
    }
}

/// A copy of a generator's state (engine words, position, cached normal, seed).
public struct GeneratorState: Sendable, Equatable {
    var engine: MT19937
    var seed: UInt64
}

/// Seeds the default generator (`torch.manual_seed`) and returns it.
///
/// ```swift
/// manualSeed(0)
/// let x = Tensor.rand(3)   // tensor([0.4963, 0.7682, 0.0885]), as after torch.manual_seed(0)
/// ```
@discardableResult
public func manualSeed<I: BinaryInteger>(_ seed: I) -> Generator { Generator.default.manualSeed(seed) }

/// Runs `body` with `generator` standing in for the default generator on this task/thread (like PyTorch's
/// `torch.random.fork_rng` + `manual_seed`), so code that draws implicitly — layer initialisation, dropout —
/// is reproducible without touching the global stream other threads use.
///
/// ```swift
/// let layer = withGenerator(Generator(seed: 0)) { Linear(4, 3) }   // same weights as torch.manual_seed(0)
/// ```
public func withGenerator<R>(_ generator: Generator, _ body: () throws -> R) rethrows -> R {
    try Generator.$scoped.withValue(generator, operation: body)
}

/// The 32-bit Mersenne Twister (Matsumoto & Nishimura), with PyTorch's seeding and normal-sample cache.
public struct MT19937: Sendable, Equatable {
    static let n = 624, m = 397
    private var state: [UInt32]
    private var index: Int
    /// The second value of the last scalar Box-Muller pair, consumed by the next scalar normal draw
    /// (PyTorch's `next_double_normal_sample`).
    public var cachedNormal: Double?

    /// Seeds like `std::mt19937(seed & 0xffffffff)` / PyTorch's `at::mt19937(seed)`.
    public init(seed: UInt64) {
        var s = [UInt32](repeating: 0, count: MT19937.n)
        s[0] = UInt32(truncatingIfNeeded: seed)
        for j in 1..<MT19937.n {
            s[j] = 1812433253 &* (s[j - 1] ^ (s[j - 1] >> 30)) &+ UInt32(j)
        }
        state = s
        index = MT19937.n
        cachedNormal = nil
    }

    private mutating func twist() {
        state.withUnsafeMutableBufferPointer { mt in
            let n = MT19937.n, m = MT19937.m
            for i in 0..<n {
                let y = (mt[i] & 0x8000_0000) | (mt[(i + 1) % n] & 0x7FFF_FFFF)
                var v = mt[(i + m) % n] ^ (y >> 1)
                if y & 1 != 0 { v ^= 0x9908_B0DF }
                mt[i] = v
            }
        }
        index = 0
    }

    /// The next 32-bit output (tempered).
    @inline(__always)
    public mutating func next32() -> UInt32 {
        if index >= MT19937.n { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// Two 32-bit outputs as one 64-bit value, first one high (PyTorch's `make64BitsFrom32Bits`).
    @inline(__always)
    public mutating func next64() -> UInt64 {
        let hi = UInt64(next32()), lo = UInt64(next32())
        return (hi << 32) | lo
    }

    /// Uniform in [0, 1) from 24 random bits, as PyTorch's `uniform_real_distribution<float>`.
    @inline(__always)
    public mutating func nextFloat() -> Float { Float(next32() & 0xFF_FFFF) * 0x1p-24 }

    /// Uniform in [0, 1) from 53 random bits, as PyTorch's `uniform_real_distribution<double>`.
    @inline(__always)
    public mutating func nextDouble() -> Double { Double(next64() & 0x1F_FFFF_FFFF_FFFF) * 0x1p-53 }

    /// Fills `count` floats with `from + span · u` for uniforms `u` of 24 bits, one output each: the same values,
    /// in the same order, as `count` calls of `from.addingProduct(nextFloat(), span)` (PyTorch's float `uniform_`).
    ///
    /// - Parameters:
    ///   - out: The memory to fill.
    ///   - count: The number of values to write.
    ///   - from: The lower bound of the interval.
    ///   - span: The width of the interval (`to − from`).
    public mutating func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int, from: Float = 0, span: Float = 1) {
        var i = index
        state.withUnsafeMutableBufferPointer {
            RandomKernels.mt19937Uniform(state: $0.baseAddress!, index: &i, out, count: count, from: from, span: span)
        }
        index = i
    }

    /// Fills `count` doubles with `from + span · u` for uniforms `u` of 53 bits (two outputs each), as `count` calls
    /// of `from.addingProduct(nextDouble(), span)`.
    ///
    /// - Parameters:
    ///   - out: The memory to fill.
    ///   - count: The number of values to write.
    ///   - from: The lower bound of the interval.
    ///   - span: The width of the interval (`to − from`).
    public mutating func fillUniform(_ out: UnsafeMutablePointer<Double>, count: Int, from: Double = 0, span: Double = 1) {
        var i = index
        state.withUnsafeMutableBufferPointer {
            RandomKernels.mt19937Uniform(state: $0.baseAddress!, index: &i, out, count: count, from: from, span: span)
        }
        index = i
    }

    /// One standard normal value as PyTorch's scalar `normal_distribution<double>`: Box-Muller on two
    /// 53-bit uniforms, `r = sqrt(-2 log(1 - u2))`, returning `r cos θ` and caching `r sin θ` for the next call.
    public mutating func nextNormal() -> Double {
        if let c = cachedNormal { cachedNormal = nil; return c }
        let u1 = nextDouble(), u2 = nextDouble()
        let r = (-2 * Foundation.log1p(-u2)).squareRoot()
        let theta = 2 * Double.pi * u1
        cachedNormal = r * Foundation.sin(theta)
        return r * Foundation.cos(theta)
    }
}
