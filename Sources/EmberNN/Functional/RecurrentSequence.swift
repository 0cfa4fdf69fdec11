// One direction of one recurrent layer over a whole sequence as a single autograd node with a hand-written
// backpropagation through time (BPTT); the composed per-step form serves double backward.
import Ember

/// Runs `mode`'s recurrence over the precomputed input projections `xGates` (`[T, B, G·H]`) from `h0` (and `c0`
/// for LSTM) with the recurrent weights, in time order or `reverse`d. Returns one packed tensor `[T (+1), B, H]`:
/// rows `0..<T` are the hidden states at their time positions, and for LSTM row `T` is the final cell state.
///
/// Float32 LSTM takes `lstmSequence`, the same node over whole-sequence buffers.
///
/// Why one node: recording every step's ops costs a graph node per op per step, and the gradient of each
/// step's slice of `xGates` would be a full-size tensor (T² work over a sequence). Here the forward runs without
/// recording, keeps the gate activations, and the backward walks the steps once, writing each step's gate
/// gradients, then computes `∂W_hh` for the whole sequence with one GEMM. Under `createGraph` the backward
/// instead differentiates the composed per-step form, so higher-order gradients stay exact.
func recurrentSequence(_ mode: RecurrentMode, xGates: Tensor, h0: Tensor, c0: Tensor?, weightHH: Tensor, biasHH: Tensor?,
                       reverse: Bool) -> Tensor {
    if mode == .lstm, let c0, lstmSequenceApplies(xGates, h0, c0, weightHH, biasHH) {
        return lstmSequence(xGates: xGates, h0: h0, c0: c0, weightHH: weightHH, biasHH: biasHH, reverse: reverse)
    }
    let inputs = [xGates, h0] + [c0, weightHH, biasHH].compactMap { $0 }
    // Without a gradient to compute (inference, generation) the same loop runs and keeps nothing.
    let keep = GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad })
    let steps = xGates.shape[0], batch = h0.shape[0], hidden = h0.shape[1], gates = xGates.shape[2]
    let whh = weightHH.detach(), bhh = biasHH?.detach()
    // Forward without recording, keeping what the backward needs.
    var hPrev: [Tensor] = [], hs = [Tensor?](repeating: nil, count: steps), cs: [Tensor] = []
    // LSTM: [i f g o], their derivatives, tanh(c); GRU: [r z n] and W_hn h + b_hn.
    var gateActs: [Tensor] = [], extra: [Tensor] = [], tanhC: [Tensor] = []
    let packed: Tensor = noGrad {
        var h = h0.detach(), c = c0?.detach()
        // W_hhᵀ once, row-major (and packed for the GEMM when it would pack it), not once per step.
        let whhT = whh.t().contiguous()
        let packedWT = PackedGemmOperand(whhT, rowsOfA: batch)
        /// `base + h · W_hhᵀ`, accumulated by the GEMM into a copy of `base` when W_hhᵀ is packed.
        func recurrentProduct(_ h: Tensor, plus base: Tensor?) -> Tensor {
            guard let p = packedWT else { let y = h.matmul(whhT); return base.map { y + $0 } ?? y }
            let c = base?.clone() ?? Tensor(empty: [batch, gates], dtype: whh.dtype)
            p.multiply(h, into: c, beta: base == nil ? 0 : 1)
            return c
        }
        // Without GRU's r ⊙ (W_hn h + b_hn), b_hh adds to the input projection: one add for the whole sequence.
        let foldBias = mode != .gru && bhh != nil
        let xAll = foldBias ? xGates.detach() + bhh! : xGates.detach()
        for s in 0..<steps {
            let t = reverse ? steps - 1 - s : s
            let xg = xAll.select(0, t)
            if keep { hPrev.append(h) }
            switch mode {
            case .rnnTanh: h = recurrentProduct(h, plus: xg).tanh()
            case .rnnRelu: h = recurrentProduct(h, plus: xg).relu()
            case .gru:
                let hg = recurrentProduct(h, plus: bhh?.expand([batch, gates]))
                let rz = (hg.narrow(1, start: 0, length: 2 * hidden) + xg.narrow(1, start: 0, length: 2 * hidden)).sigmoid()
                let hn = hg.narrow(1, start: 2 * hidden, length: hidden)
                let r = rz.narrow(1, start: 0, length: hidden), z = rz.narrow(1, start: hidden, length: hidden)
                let n = (xg.narrow(1, start: 2 * hidden, length: hidden) + hn * r).tanh()
                h = (h - n) * z + n
                if keep { gateActs.append(Tensor.cat([rz, n], dim: 1)); extra.append(hn) }
            case .lstm:
                // The gate math in one pass (core's LSTMCellMath), keeping the gate values and derivatives.
                let step = LSTMCellMath.forward(pre: recurrentProduct(h, plus: xg), c: c!, keep: keep)
                if keep { cs.append(c!); gateActs.append(step.acts!); extra.append(step.deriv!); tanhC.append(step.tanhC) }
                c = step.c
                h = step.h
            }
            hs[t] = h
        }
        if keep && mode == .lstm { cs.append(c!) }
        return Tensor.stack(hs.map { $0! } + (mode == .lstm ? [c!] : []), dim: 0)
    }
    guard keep else { return packed }
    let saved = [whh] + (bhh.map { [$0] } ?? [])
    return record(packed, "RecurrentBackward0", inputs: inputs, saved: saved) { gPacked in
        if GradMode.isEnabled {
            // createGraph: differentiate the recorded per-step form so the gradient itself has a graph.
            let again = composedRecurrentSequence(mode, xGates: xGates, h0: h0, c0: c0, weightHH: weightHH, biasHH: biasHH, reverse: reverse)
            let needed = inputs.filter { $0.requiresGrad }
            var grads = grad(of: [again], with: needed, gradOutputs: [gPacked], createGraph: true, allowUnused: true).makeIterator()
            return inputs.map { $0.requiresGrad ? grads.next()! : nil }
        }
        let gSeq = gPacked.narrow(0, start: 0, length: steps)
        var dh = Tensor.zeros(h0.shape, dtype: h0.dtype)
        var dc: Tensor? = mode == .lstm ? gPacked.select(0, steps).contiguous() : nil
        var dX = [Tensor?](repeating: nil, count: steps)
        var dHG: [Tensor] = []      // processing order, to pair with hPrev for ∂W_hh
        let packedW = PackedGemmOperand(whh, rowsOfA: batch)
        for s in (0..<steps).reversed() {
            let t = reverse ? steps - 1 - s : s
            dh = dh + gSeq.select(0, t)
            let hNew = hs[t]!
            var dPre: Tensor, dPreH: Tensor, dhDirect: Tensor? = nil
            switch mode {
            case .rnnTanh:
                dPre = dh * (1 - hNew * hNew); dPreH = dPre
            case .rnnRelu:
                dPre = dh * hNew.gt(0).to(dh.dtype); dPreH = dPre
            case .gru:
                let acts = gateActs[s]
                let r = acts.narrow(1, start: 0, length: hidden), z = acts.narrow(1, start: hidden, length: hidden)
                let n = acts.narrow(1, start: 2 * hidden, length: hidden)
                let hp = hPrev[s]
                let dz = dh * (hp - n), dn = dh * (1 - z)
                dhDirect = dh * z
                let dnPre = dn * (1 - n * n)
                let drPre = dnPre * extra[s] * r * (1 - r)
                let dzPre = dz * z * (1 - z)
                dPre = Tensor.cat([drPre, dzPre, dnPre], dim: 1)
                dPreH = Tensor.cat([drPre, dzPre, dnPre * r], dim: 1)
            case .lstm:
                let grads = LSTMCellMath.backward(dh: dh, dc: dc!, acts: gateActs[s], deriv: extra[s], tanhC: tanhC[s], cPrev: cs[s])
                dPre = grads.dPre; dPreH = dPre
                dc = grads.dcPrev
            }
            dX[t] = dPre
            dHG.append(dPreH)
            if let p = packedW {
                // GRU's direct term z ⊙ ∂h' is a fresh tensor: the GEMM accumulates into it.
                let c = dhDirect ?? Tensor(empty: [batch, hidden], dtype: whh.dtype)
                p.multiply(dPreH, into: c, beta: dhDirect == nil ? 0 : 1)
                dh = c
            } else {
                dh = dPreH.matmul(whh)
                if let d = dhDirect { dh = dh + d }
            }
        }
        let dHGAll = Tensor.cat(dHG.reversed(), dim: 0)       // [T·B, G·H], back in processing order
        let hPrevAll = Tensor.cat(hPrev, dim: 0)              // [T·B, H], same order
        var out: [Tensor?] = [Tensor.stack(dX.map { $0! }, dim: 0), dh]
        if mode == .lstm { out.append(dc) }
        out.append(dHGAll.t().matmul(hPrevAll))
        if bhh != nil { out.append(dHGAll.sum(dim: 0)) }
        return out
    }
}

/// The same recurrence written as recorded per-step ops (for double backward).
func composedRecurrentSequence(_ mode: RecurrentMode, xGates: Tensor, h0: Tensor, c0: Tensor?, weightHH: Tensor, biasHH: Tensor?,
                               reverse: Bool) -> Tensor {
    let steps = xGates.shape[0]
    var h = h0, c = c0
    var hs = [Tensor?](repeating: nil, count: steps)
    for s in 0..<steps {
        let t = reverse ? steps - 1 - s : s
        (h, c) = recurrentStep(mode, xGates: xGates.select(0, t), h: h, c: c, weightHH: weightHH, biasHH: biasHH)
        hs[t] = h
    }
    return Tensor.stack(hs.map { $0! } + (c.map { [$0] } ?? []), dim: 0)
}
