// The float32 LSTM direction of the recurrent node: every step reads and writes slices of whole-sequence buffers,
// so a sequence allocates a handful of tensors instead of several per step and copies nothing per step.
import Ember

/// `recurrentSequence(.lstm, …)` for float32 operands: the same packed result `[T + 1, B, H]` (hidden states at
/// their time positions, then the final cell) and the same gradients, with the steps' values in buffers made once:
///
/// - `hidden` `[T + 2, B, H]`: row 0 is `h0`, row `s + 1` the hidden state after processing step `s`, row `T + 1`
///   the final cell. In time order (not `reverse`), rows `1...T + 1` are the result itself (a view, no copy),
///   and rows `0..<T` are every step's previous hidden state, the right operand of `∂W_hh` as one GEMM.
/// - the input projection plus the biases `[T, B, 4H]` (one add for the sequence), into whose step rows the GEMM
///   accumulates `h · W_hhᵀ`: the pre-activations, with no per-step copy.
/// - with a backward to come, the gates, `tanh(c)` and every cell state, one row per step (the backward recomputes
///   the gates' derivatives from the gates, the same bits as storing them, with less memory traffic).
///
/// The backward writes each step's pre-activation gradient straight into its row of `∂xGates` `[T, B, 4H]` and
/// adds the step's output gradient inside the cell kernel (`dhAdd`), as the Tensor-op form's `dh + gₜ` rounds it.
///
/// With `biasIH` (the layers pass it when both biases exist), `xGates` is the input projection without its bias and
/// the node adds `b_ih + b_hh` in one pass; both biases then get the same gradient (the column sum of `∂xGates`),
/// computed once. (`b_ih + b_hh` is one rounding away from adding them in turn, as ATen does.)
func lstmSequence(xGates: Tensor, h0: Tensor, c0: Tensor, weightHH: Tensor, biasHH: Tensor?, biasIH: Tensor? = nil,
                  reverse: Bool) -> Tensor {
    let inputs = [xGates, h0, c0, weightHH] + [biasHH, biasIH].compactMap { $0 }
    let keep = GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad })
    let steps = xGates.shape[0], batch = h0.shape[0], hiddenSize = h0.shape[1], gates = xGates.shape[2]
    let whh = weightHH.detach(), bhh = biasHH?.detach()
    func buffer(_ shape: [Int]) -> Tensor { Tensor(empty: shape, dtype: .float32) }

    let hidden = buffer([steps + 2, batch, hiddenSize])
    // Every cell state when kept (row s is the cell step s starts from); otherwise two rows used in turn.
    let cells = buffer([keep ? steps + 1 : 2, batch, hiddenSize])
    let acts = keep ? buffer([steps, batch, gates]) : nil
    let tanhC = buffer([keep ? steps : 1, batch, hiddenSize])
    noGrad {
        _ = hidden.select(0, 0).copy_(h0.detach())
        _ = cells.select(0, 0).copy_(c0.detach())
        // A tensor of our own to accumulate into: the input projection plus the biases, or a copy of it.
        let preAll: Tensor
        let biases = [biasIH?.detach(), bhh].compactMap { $0 }
        if let b = biases.count == 2 ? biases[0] + biases[1] : biases.first {
            let sum = xGates.detach() + b
            preAll = sum.isContiguous ? sum : sum.contiguous()
        } else {
            preAll = buffer([steps, batch, gates])
            _ = preAll.copy_(xGates.detach())
        }
        let packedWT = PackedGemmOperand(transposeOf: whh, rowsOfA: batch)
        let whhT = packedWT == nil ? whh.t().contiguous() : nil
        for s in 0..<steps {
            let t = reverse ? steps - 1 - s : s
            let pre = preAll.select(0, t), h = hidden.select(0, s)
            if let p = packedWT { p.multiply(h, into: pre, beta: 1) } else { pre.add_(h.matmul(whhT!)) }
            let cRow = keep ? s : s % 2, cNextRow = keep ? s + 1 : (s + 1) % 2
            LSTMCellMath.forward(pre: pre, c: cells.select(0, cRow), into: LSTMStepValues(
                h: hidden.select(0, s + 1), c: cells.select(0, cNextRow), tanhC: tanhC.select(0, keep ? s : 0),
                acts: acts?.select(0, s), deriv: nil))
        }
        _ = hidden.select(0, steps + 1).copy_(cells.select(0, keep ? steps : steps % 2))
    }
    // Time order is processing order unless reversed; reversed, the rows are put back in time order (one copy).
    let packed = reverse
        ? Tensor.stack((0..<steps).map { hidden.select(0, steps - $0) } + [hidden.select(0, steps + 1)], dim: 0)
        : hidden.narrow(0, start: 1, length: steps + 1)
    guard keep, let acts else { return packed }
    let saved = [whh] + (bhh.map { [$0] } ?? [])
    return record(packed, "RecurrentBackward0", inputs: inputs, saved: saved) { gPacked in
        if GradMode.isEnabled {
            // createGraph: differentiate the recorded per-step form so the gradient itself has a graph.
            let projection = biasIH.map { xGates + $0 } ?? xGates
            let again = composedRecurrentSequence(.lstm, xGates: projection, h0: h0, c0: c0, weightHH: weightHH, biasHH: biasHH,
                                                  reverse: reverse)
            let needed = inputs.filter { $0.requiresGrad }
            var grads = grad(of: [again], with: needed, gradOutputs: [gPacked], createGraph: true, allowUnused: true).makeIterator()
            return inputs.map { $0.requiresGrad ? grads.next()! : nil }
        }
        let gPacked = gPacked.contiguous()
        let dX = buffer([steps, batch, gates])          // ∂xGates in time order
        // Rows used in turn: the GEMM writes ∂h of the step before into one while the cell reads the other.
        let dhRows = steps == 0 ? Tensor.zeros([2, batch, hiddenSize], dtype: .float32) : buffer([2, batch, hiddenSize])
        let dcRows = buffer([2, batch, hiddenSize])
        _ = dcRows.select(0, 0).copy_(gPacked.select(0, steps))
        let packedW = PackedGemmOperand(whh, rowsOfA: batch)
        for (n, s) in (0..<steps).reversed().enumerated() {
            let t = reverse ? steps - 1 - s : s
            let output = gPacked.select(0, t)
            // ∂h of this step: its output gradient, plus (after the last step) the recurrence's from the step after.
            let dh = n == 0 ? output : dhRows.select(0, n % 2), dhAdd: Tensor? = n == 0 ? nil : output
            let dPre = dX.select(0, t)
            LSTMCellMath.backward(dh: dh, dhAdd: dhAdd, dc: dcRows.select(0, n % 2), acts: acts.select(0, s), deriv: nil,
                                  tanhC: tanhC.select(0, s), cPrev: cells.select(0, s), into: dPre, dcPrev: dcRows.select(0, (n + 1) % 2))
            let dhNext = dhRows.select(0, (n + 1) % 2)
            if let p = packedW { p.multiply(dPre, into: dhNext, beta: 0) } else { _ = dhNext.copy_(dPre.matmul(whh)) }
        }
        let dh0 = dhRows.select(0, steps % 2), dc0 = dcRows.select(0, steps % 2)
        // Each step's gate gradient against the hidden state it started from, all steps in one GEMM.
        let hPrev = reverse
            ? Tensor.stack((0..<steps).map { hidden.select(0, steps - 1 - $0) }, dim: 0)
            : hidden.narrow(0, start: 0, length: steps)
        let dXRows = dX.reshape([steps * batch, gates])
        var out: [Tensor?] = [dX, dh0, dc0, dXRows.t().matmul(hPrev.reshape([steps * batch, hiddenSize]))]
        // Each bias (b_hh, then b_ih, as in `inputs`) gets the column sum of ∂xGates; the second a tensor of its
        // own, since the two gradients may be changed in place separately (clipping, accumulation).
        let biasCount = [biasHH, biasIH].compactMap { $0 }.count
        if biasCount > 0 {
            let dBias = dXRows.sum(dim: 0)
            out.append(dBias)
            if biasCount == 2 { out.append(dBias.clone()) }
        }
        return out
    }
}

/// Whether `lstmSequence` runs these operands: all float32 (it writes float32 buffers through the fused cell kernels).
func lstmSequenceApplies(_ tensors: Tensor?...) -> Bool {
    tensors.allSatisfy { $0 == nil || $0!.dtype == .float32 }
}

