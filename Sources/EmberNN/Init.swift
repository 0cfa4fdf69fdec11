// Parameter initialisation (`torch.nn.init`): fills tensors in place without recording autograd.
import Foundation
import Ember

/// `torch.nn.init`: in-place initialisers, used as `Init.xavierUniform_(linear.weight)` or inside `net.apply`.
///
/// All of them draw from the seedable default generator unless `generator:` is given, and run under `noGrad`.
public enum Init {
    public enum Nonlinearity { case linear, conv, sigmoid, tanh, relu, leakyRelu(Double), selu }
    public enum FanMode { case fanIn, fanOut }

    /// The recommended gain for a nonlinearity (`calculate_gain`).
    public static func calculateGain(_ nl: Nonlinearity) -> Double {
        switch nl {
        case .linear, .conv, .sigmoid: return 1
        case .tanh: return 5.0 / 3
        case .relu: return 2.0.squareRoot()
        case .leakyRelu(let slope): return (2.0 / (1 + slope * slope)).squareRoot()
        case .selu: return 3.0 / 4
        }
    }

    /// Fan-in and fan-out of a weight: `[out, in, *kernel]` (`_calculate_fan_in_and_fan_out`).
    public static func fans(_ t: Tensor) -> (fanIn: Int, fanOut: Int) {
        emberCheck(t.rank >= 2, "init", "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got shape \(shapeString(t.shape)))")
        let receptive = t.shape.dropFirst(2).reduce(1, *)
        return (t.shape[1] * receptive, t.shape[0] * receptive)
    }

    /// Fills `t` with values drawn uniformly from [a, b) (`nn.init.uniform_`).
    ///
    /// - Parameters:
    ///   - t: The tensor to fill in place.
    ///   - a: The lower bound (`uniform_`) or the negative slope of the rectifier after this layer (Kaiming).
    ///   - b: The upper bound.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    @discardableResult
    public static func uniform_(_ t: Tensor, a: Double = 0, b: Double = 1, generator: Generator? = nil) -> Tensor {
        noGrad { t.uniform_(from: a, to: b, generator: generator) }
    }
    /// Fills `t` with values drawn from N(mean, std²) (`nn.init.normal_`).
    ///
    /// - Parameters:
    ///   - t: The tensor to fill in place.
    ///   - mean: The mean of the normal distribution.
    ///   - std: The standard deviation of the normal distribution.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    @discardableResult
    public static func normal_(_ t: Tensor, mean: Double = 0, std: Double = 1, generator: Generator? = nil) -> Tensor {
        noGrad { t.normal_(mean: mean, std: std, generator: generator) }
    }
    @discardableResult
    public static func constant_(_ t: Tensor, _ value: Double) -> Tensor { noGrad { t.fill_(value) } }
    @discardableResult
    public static func zeros_(_ t: Tensor) -> Tensor { constant_(t, 0) }
    @discardableResult
    public static func ones_(_ t: Tensor) -> Tensor { constant_(t, 1) }

    /// Glorot uniform: U(−a, a) with `a = gain·√(6/(fanIn + fanOut))`.
    ///
    /// - Parameters:
    ///   - t: The tensor to fill in place.
    ///   - gain: The scaling factor (see `calculateGain`).
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    @discardableResult
    public static func xavierUniform_(_ t: Tensor, gain: Double = 1, generator: Generator? = nil) -> Tensor {
        let (fi, fo) = fans(t)
        let a = gain * (6.0 / Double(fi + fo)).squareRoot()
        return uniform_(t, a: -a, b: a, generator: generator)
    }
    /// Glorot normal: N(0, std²) with `std = gain·√(2/(fanIn + fanOut))`.
    ///
    /// - Parameters:
    ///   - t: The tensor to fill in place.
    ///   - gain: The scaling factor (see `calculateGain`).
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    @discardableResult
    public static func xavierNormal_(_ t: Tensor, gain: Double = 1, generator: Generator? = nil) -> Tensor {
        let (fi, fo) = fans(t)
        return normal_(t, std: gain * (2.0 / Double(fi + fo)).squareRoot(), generator: generator)
    }
    /// He uniform: U(−b, b) with `b = gain·√(3/fan)`; PyTorch's default for Linear/Conv uses `a = √5` (leaky ReLU).
    ///
    /// - Parameters:
    ///   - t: The tensor to fill in place.
    ///   - a: The lower bound (`uniform_`) or the negative slope of the rectifier after this layer (Kaiming).
    ///   - mode: Preserve the variance in the forward pass (`.fanIn`) or the backward pass (`.fanOut`).
    ///   - nonlinearity: The activation after this layer, which sets the gain.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    @discardableResult
    public static func kaimingUniform_(_ t: Tensor, a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyRelu(0),
                                       generator: Generator? = nil) -> Tensor {
        let (fi, fo) = fans(t)
        let fan = Double(mode == .fanIn ? fi : fo)
        let gain = calculateGain(nonlinearityWithSlope(nonlinearity, a))
        let bound = fan > 0 ? gain * (3.0 / fan).squareRoot() : 0
        return uniform_(t, a: -bound, b: bound, generator: generator)
    }
    /// He normal: N(0, std²) with `std = gain/√fan`.
    ///
    /// - Parameters:
    ///   - t: The tensor to fill in place.
    ///   - a: The lower bound (`uniform_`) or the negative slope of the rectifier after this layer (Kaiming).
    ///   - mode: Preserve the variance in the forward pass (`.fanIn`) or the backward pass (`.fanOut`).
    ///   - nonlinearity: The activation after this layer, which sets the gain.
    ///   - generator: The random generator to draw from; nil uses the default generator (`manualSeed`).
    @discardableResult
    public static func kaimingNormal_(_ t: Tensor, a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .leakyRelu(0),
                                      generator: Generator? = nil) -> Tensor {
        let (fi, fo) = fans(t)
        let fan = Double(mode == .fanIn ? fi : fo)
        let gain = calculateGain(nonlinearityWithSlope(nonlinearity, a))
        return normal_(t, std: fan > 0 ? gain / fan.squareRoot() : 0, generator: generator)
    }

    private static func nonlinearityWithSlope(_ nl: Nonlinearity, _ a: Double) -> Nonlinearity {
        if case .leakyRelu = nl { return .leakyRelu(a) }
        return nl
    }

    /// PyTorch's default `reset_parameters` for Linear/Conv: Kaiming-uniform weight with `a = √5`
    /// (bound `1/√fanIn`) and a bias uniform in `±1/√fanIn`.
    static func defaultLayerInit(weight: Tensor, bias: Tensor?) {
        kaimingUniform_(weight, a: 5.0.squareRoot())
        if let b = bias {
            let fanIn = Double(fans(weight).fanIn)
            let bound = fanIn > 0 ? 1 / fanIn.squareRoot() : 0
            uniform_(b, a: -bound, b: bound)
        }
    }
}
