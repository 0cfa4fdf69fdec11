// RandomSource: the seedable random stream behind shuffling, random splits and random transforms.
import Foundation
import Ember

/// A seedable stream of random 64-bit words that shuffling, `randomSplit` and random transforms draw from.
///
/// This is the seam between the data layer and the core generator: any class with `next() -> UInt64`
/// conforms (the core `Generator` will, by a one-line extension). Shared across threads it must lock;
/// `SplitMix64` does. It plays the role of PyTorch's `generator=` argument (`torch.Generator`).
public protocol RandomSource: AnyObject {
    /// The next 64 random bits.
    func next() -> UInt64
    /// A random permutation of `0..<n` (`torch.randperm(n, generator=g)`); the default draws a Fisher–Yates
    /// shuffle from `next()`, the core `Generator` draws PyTorch's own `randperm` stream.
    func permutation(_ n: Int) -> [Int]
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64), safe to share between threads.
///
/// Stands in for `torch.Generator().manual_seed(s)` in the data layer: same seed, same stream.
/// Its numbers differ from PyTorch's mt19937 (Ember matches PyTorch's semantics here, not its bits).
///
/// ```swift
/// let g = SplitMix64(seed: 42)
/// let loader = DataLoader(train, batchSize: 256, shuffle: true, generator: g)
/// ```
public final class SplitMix64: RandomSource, @unchecked Sendable {
    private var state: UInt64
    private let lock = NSLock()

    /// A generator seeded with `seed` (`manual_seed(seed)`).
    public init(seed: UInt64) { state = seed }

    /// Re-seeds the generator (`manual_seed`).
    public func manualSeed(_ seed: UInt64) {
        lock.lock(); state = seed; lock.unlock()
    }

    public func next() -> UInt64 {
        lock.lock()
        state &+= 0x9E37_79B9_7F4A_7C15
        let s = state
        lock.unlock()
        return SplitMix64.mix(s)
    }

    /// The SplitMix64 output function: a strong 64-bit bijective mixer.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomSource {
    /// A uniform double in [0, 1) (53 random bits).
    public func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform double in [low, high).
    public func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * nextDouble() }

    /// A uniform integer in `0..<bound` (unbiased, Lemire's method).
    public func nextInt(below bound: Int) -> Int {
        emberCheck(bound > 0, "nextInt", "bound must be positive, got \(bound)")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A uniform integer in `range`.
    public func nextInt(in range: ClosedRange<Int>) -> Int { range.lowerBound + nextInt(below: range.count) }

    /// A random permutation of `0..<n`, by Fisher–Yates over `nextInt(below:)`.
    public func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            p.swapAt(i, nextInt(below: i + 1))
        }
        return p
    }
}

/// Where random draws come from when no generator is passed explicitly.
///
/// A `DataLoader` binds a per-batch generator (derived from its epoch seed and the batch index) while it
/// builds each batch, so random transforms give the same batches whatever the number of workers.
/// Outside a loader, draws come from `DataRandom.global`.
public enum DataRandom {
    /// The generator bound by the running `DataLoader` batch on this thread, if any.
    @TaskLocal public static var current: RandomSource?

    /// The process-wide default: the core default `Generator`, so `manualSeed(_:)` governs shuffling and
    /// augmentation too, as `torch.manual_seed` does.
    public static var global: RandomSource { Generator.current }

    /// The generator a random operation should use: the explicit one, else the bound one, else the global one.
    public static func resolve(_ explicit: RandomSource?) -> RandomSource {
        explicit ?? current ?? global
    }

    /// A generator for one unit of work (`index`) derived from `seed`, independent of the thread it runs on.
    public static func derived(seed: UInt64, index: Int) -> SplitMix64 {
        SplitMix64(seed: SplitMix64.mix(seed ^ SplitMix64.mix(UInt64(bitPattern: Int64(index)) &+ 0x632B_E59B_D9B4_E019)))
    }
}

/// The core generator is a `RandomSource`, so `DataLoader(..., generator: Generator(seed: 42))` works like
/// PyTorch's `generator=torch.Generator().manual_seed(42)`.
///
/// Its permutations are `torch.randperm`'s, so a loader shuffling with a generator seeded like PyTorch's visits the
/// samples in PyTorch's order.
extension Generator: RandomSource {
    public func next() -> UInt64 { nextUInt64() }

    public func permutation(_ n: Int) -> [Int] {
        Tensor.randperm(n, generator: self).toArray(as: Int64.self).map { Int($0) }
    }
}
