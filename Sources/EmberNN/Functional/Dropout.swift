// dropout with inverted scaling, and the small seedable random source it draws masks from (until core's Generator).
import Foundation
import Ember

/// A small, fast, seedable random number generator (SplitMix64).
///
/// TEMPORARY: core's seedable `Generator` (Sources/Ember/Random/) is being written in parallel; once it
/// lands, `F.dropout` should draw from it (so `manualSeed` governs dropout too) and this type can go.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension F {
    /// The generator `dropout` uses when none is passed; reseed it with `F.dropoutSeed(_:)`.
    private static var defaultGenerator = SplitMix64(seed: 0x5EED)
    private static let generatorLock = NSLock()

    /// Reseeds the default dropout generator (TEMPORARY stand-in for core's `manualSeed`).
    public static func dropoutSeed(_ seed: UInt64) {
        generatorLock.lock(); defer { generatorLock.unlock() }
        defaultGenerator = SplitMix64(seed: seed)
    }

    /// Dropout, matching `torch.nn.functional.dropout`: in training, zeroes each element with probability
    /// `p` and scales the survivors by `1 / (1 − p)` (inverted dropout), so evaluation needs no rescaling.
    /// With `training == false` (or `p == 0`) the input is returned unchanged. Backward: `NativeDropoutBackward0`
    /// multiplies by the same scaled mask.
    ///
    /// Shape: any → same shape.
    ///
    /// ```swift
    /// let h = F.dropout(F.relu(x), p: 0.5, training: model.training)
    /// ```
    public static func dropout(_ input: Tensor, p: Double = 0.5, training: Bool = true) -> Tensor {
        generatorLock.lock(); defer { generatorLock.unlock() }
        return dropout(input, p: p, training: training, using: &defaultGenerator)
    }

    /// Dropout drawing its mask from `generator` (for reproducible masks in tests and experiments).
    public static func dropout<G: RandomNumberGenerator>(_ input: Tensor, p: Double = 0.5, training: Bool = true,
                                                          using generator: inout G) -> Tensor {
        let op = "dropout"
        emberCheck(p >= 0 && p <= 1, op, "dropout probability has to be between 0 and 1, but got \(p)")
        if !training || p == 0 { return input }
        checkFloatInputs(op, ("input", input))
        let n = input.numel
        let scale = p == 1 ? 0 : 1 / (1 - p)
        var keep = [Double](repeating: 0, count: n)
        // Uniform in [0, 1) from the top 53 bits; an element survives when u >= p.
        for i in 0..<n where Double(generator.next() >> 11) * 0x1p-53 >= p { keep[i] = scale }
        let mask = Tensor(keep, shape: input.shape).to(input.dtype)
        let out = noGrad { input.detach() * mask }
        return record(out, "NativeDropoutBackward0", inputs: [input]) { g in [g * mask] }
    }
}
