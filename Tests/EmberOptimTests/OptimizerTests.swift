// Optimizer behaviour beyond the golden trajectories: hand-derived steps, parameter groups added later, state round trip, argument checks.
import Testing
import Foundation
import Ember
import EmberOptim
import _EmberTestSupport

@Suite("Optimizers")
struct OptimizerTests {
    @Test func groupAddedLaterIsStepped() {
        // PyTorch: a = 0.9, b = 0.6; get_last_lr() == [0.05, 0.2] after one StepLR(step_size=1, gamma=0.5) step.
        let a = Tensor.ones([2], dtype: .float64).requiresGrad_(), b = Tensor.ones([2], dtype: .float64).requiresGrad_()
        let opt = SGD([a], lr: 0.1)
        let sched = StepLR(opt, stepSize: 1, gamma: 0.5)
        opt.addParamGroup(ParamGroup([b], ["lr": .number(0.4)]))
        (a.sum() + b.sum()).backward()
        opt.step()
        sched.step()
        #expect(a.scalars == [0.9, 0.9] && b.scalars == [0.6, 0.6])
        #expect(sched.lastLR == [0.05, 0.2])
        #expect(opt.paramGroups[1]["momentum"] == .number(0))
    }
    @Test func sgdStepByHand() {
        // p = 1, g = 2 (from loss 2p): p - lr*g = 1 - 0.1*2 = 0.8
        let p = Tensor.ones([1], dtype: .float64).requiresGrad_()
        let opt = SGD([p], lr: 0.1)
        (p * 2).sum().backward()
        opt.step()
        #expect(Swift.abs(p.item() - 0.8) < 1e-15)
        opt.zeroGrad()
        #expect(p.grad == nil)
    }
    @Test func adamFirstStepIsLrTimesSign() {
        // On step 1, m/(1-b1) = g and sqrt(v/(1-b2)) = |g|, so the update is lr * g/(|g| + eps) ≈ lr * sign(g).
        let p = tensor([1.0, -2.0], dtype: .float64).requiresGrad_()
        let opt = Adam([p], lr: 0.01)
        (p * tensor([3.0, -0.5], dtype: .float64)).sum().backward()
        opt.step()
        #expect(closeness(p.detach(), tensor([0.99, -1.99], dtype: .float64), rtol: 1e-7) == nil)
    }
    @Test func stateDictRoundTripResumesExactly() {
        func run(split: Bool) -> [Double] {
            let p = tensor([0.5, -1.5, 2.0], dtype: .float64).requiresGrad_()
            var opt: Optimizer = Adam([p], lr: 0.05, amsgrad: true)
            for i in 0..<6 {
                if split && i == 3 {
                    let saved = opt.stateDict()
                    let fresh = Adam([p], lr: 0.05, amsgrad: true)
                    fresh.loadStateDict(saved)
                    opt = fresh
                }
                opt.zeroGrad()
                (p * p * Double(i + 1)).sum().backward()
                opt.step()
            }
            return p.scalars
        }
        #expect(run(split: false) == run(split: true))
    }
    @Test func sgdStateDictLayoutMatchesPyTorch() {
        let a = Tensor.ones([2]).requiresGrad_(), b = Tensor.ones([3]).requiresGrad_()
        let opt = SGD([ParamGroup([a]), ParamGroup([b], ["lr": .number(0.5)])], lr: 0.1, momentum: 0.9)
        (a.sum() + b.sum()).backward()
        opt.step()
        let sd = opt.stateDict()
        #expect(sd.paramGroups.map { $0.params } == [[0], [1]])
        #expect(sd.paramGroups[1].options["lr"] == .number(0.5))
        #expect(sd.state[0]?["momentum_buffer"]?.shape == [2])
        #expect(sd.state[1]?["step"] == nil)
    }
}

@Suite("Optimizer misuse")
struct OptimizerMisuseTests {
    @Test func addingAParameterTwiceStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Tensor.ones([2]).requiresGrad_()
            let opt = SGD([a], lr: 0.1)
            opt.addParamGroup(ParamGroup([a]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("some parameters appear in more than one parameter group"))
    }
    @Test func negativeLearningRate() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD([Tensor.ones([1]).requiresGrad_()], lr: -1)
        }
        if let r { #expect(String(decoding: r.standardErrorContent, as: UTF8.self).contains("Invalid learning rate: -1.0")) }
    }
    @Test func nesterovNeedsMomentum() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD([Tensor.ones([1]).requiresGrad_()], lr: 0.1, nesterov: true)
        }
        if let r { #expect(String(decoding: r.standardErrorContent, as: UTF8.self).contains("Nesterov momentum requires a momentum and zero dampening")) }
    }

    @Test("an SGD step rounds as PyTorch's: momentum buffer and update are fused multiply-adds")
    func sgdStepRoundsOnce() {
        // PyTorch: buf.mul_(m).add_(g, alpha=1 - dampening); p.add_(buf, alpha=-lr), each add one FMA
        // (ATen's ufunc add is vec::fmadd(other, alpha, self)), alpha rounded to float32 first.
        let p0: [Float] = [1 + 1 / 4096, -0.3, 2.5], g: [Float] = [1 + 1 / 4096, 0.7, -1.1]
        let p = Tensor(p0).requiresGrad_()
        let opt = SGD([p], lr: 0.1, momentum: 0.9, dampening: 0.25)
        var buf = g, expected = p0
        for step in 0..<3 {
            p.grad = Tensor(g)
            opt.step()
            for i in 0..<3 {
                if step > 0 { buf[i] = (buf[i] * Float(0.9)).addingProduct(g[i], Float(0.75)) }
                expected[i] = expected[i].addingProduct(buf[i], Float(-0.1))
            }
            #expect(p.detach().toArray(as: Float.self) == expected, "step \(step)")
        }
    }
}

/// SGD's one-pass momentum update (float32) gives the same bits as the three in-place ops it replaces, which the
/// golden trajectories check against PyTorch; float64 parameters keep the three ops.
@Suite struct SGDFusedMomentumTests {
    @Test func fusedStepEqualsTheThreeOps() {
        withGenerator(Generator(seed: 11)) {
            for (dampening, weightDecay) in [(0.0, 0.0), (0.1, 1e-3)] {
                let p = Tensor.randn([1000, 37]), g = Tensor.randn([1000, 37])
                p.requiresGrad = true
                let reference = p.detach().clone(), buffer = Tensor.zeros([1000, 37])
                let opt = SGD([p], lr: 0.05, momentum: 0.9, dampening: dampening, weightDecay: weightDecay)
                for step in 0..<3 {
                    p.grad = g * Double(step + 1)
                    opt.step()
                    // The same step as separate ops (`_single_tensor_sgd`).
                    let d = weightDecay != 0 ? (g * Double(step + 1)).add(reference, alpha: weightDecay) : g * Double(step + 1)
                    if step == 0 { buffer.copy_(d) } else { buffer.mul_(0.9).add_(d, alpha: 1 - dampening) }
                    reference.add_(buffer, alpha: -0.05)
                }
                let same = p.detach().toArray(as: Float.self) == reference.toArray(as: Float.self)
                #expect(same, "dampening \(dampening), weight decay \(weightDecay)")
            }
        }
    }
}

/// Adam's and AdamW's one-pass float32 update gives the same bits as the in-place ops of `_single_tensor_adam` it
/// replaces (which the golden trajectories check against PyTorch), with and without weight decay, over several
/// steps, on sizes that are not a multiple of any vector width (37,000 on the caller's thread, 70,001 split over
/// the pool).
@Suite struct AdamFusedStepTests {
    @Test(arguments: [false, true])
    func fusedStepsEqualTheOps(decoupled: Bool) {
        withGenerator(Generator(seed: decoupled ? 13 : 12)) {
            for (shape, weightDecay) in [([1000, 37], 0.0), ([1000, 37], 0.05), ([70_001], 1e-2)] {
                let p = Tensor.randn(shape)
                p.requiresGrad = true
                let reference = p.detach().clone(), m = Tensor.zeros(shape), v = Tensor.zeros(shape)
                let (lr, beta1, beta2, eps) = (0.01, 0.8, 0.95, 1e-6)
                let opt: Optimizer = decoupled
                    ? AdamW([p], lr: lr, betas: (beta1, beta2), eps: eps, weightDecay: weightDecay)
                    : Adam([p], lr: lr, betas: (beta1, beta2), eps: eps, weightDecay: weightDecay)
                for step in 1...4 {
                    let grad = Tensor.randn(shape) * (0.1 * Double(step))
                    p.grad = grad
                    opt.step()
                    // The same step as separate ops, written out as PyTorch's `_single_tensor_adam` runs them.
                    var g = grad
                    if weightDecay != 0 {
                        if decoupled { reference.mul_(1 - lr * weightDecay) } else { g = g.add(reference, alpha: weightDecay) }
                    }
                    m.lerp_(g, weight: 1 - beta1)
                    v.mul_(beta2).addcmul_(g, g, value: 1 - beta2)
                    let bc1 = 1 - Foundation.pow(beta1, Double(step)), bc2 = 1 - Foundation.pow(beta2, Double(step))
                    let denom = v.sqrt() / bc2.squareRoot()
                    denom += eps
                    reference.addcdiv_(m, denom, value: -lr / bc1)
                    let same = p.detach().toArray(as: Float.self) == reference.toArray(as: Float.self)
                    #expect(same, "decoupled \(decoupled), shape \(shape), weight decay \(weightDecay), step \(step)")
                }
            }
        }
    }
}
