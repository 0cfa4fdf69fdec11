// The CPU backend's embedding: row lookup (a copy per index) and its scatter-add backward.
import EmberKernels

extension CPUBackend {
    public func embedding(weight: Tensor, indices: Tensor) -> Tensor {
        let v = weight.shape[0], d = weight.shape[1]
        let ip = indices.readPointer(Int64.self), count = indices.numel
        for i in 0..<count where ip[i] < 0 || Int(ip[i]) >= v {
            emberFail("embedding", "index out of range in self (index \(ip[i]) with num_embeddings = \(v))")
        }
        let out = weight.emptyLike(shape: indices.shape + [d])
        let rowBytes = d * weight.dtype.itemSize
        let src = weight.rawPointer, dst = out.rawPointer
        for i in 0..<count { (dst + i * rowBytes).copyMemory(from: src + Int(ip[i]) * rowBytes, byteCount: rowBytes) }
        return out
    }

    public func embeddingBackward(_ gradOutput: Tensor, indices: Tensor, rows: Int, paddingIndex: Int?) -> Tensor {
        let gw = gradOutput.emptyLike(shape: [rows, gradOutput.shape.last ?? 0])
        gradOutput.dtype.dispatchFloat("embedding", EmbeddingScatter(gradOutput: gradOutput, indices: indices, paddingIndex: paddingIndex,
                                                                     gradWeight: gw))
        return gw
    }
}

/// `gradWeight[indices[i]] += gradOutput[i]` for every index but `paddingIndex`, into zeros.
private struct EmbeddingScatter: FloatKernelCall {
    let gradOutput: Tensor, indices: Tensor, paddingIndex: Int?, gradWeight: Tensor
    func callAsFunction<T: KernelFloat>(_: T.Type) {
        let d = gradWeight.shape[1]
        let gp = gradOutput.readPointer(T.self), wp = gradWeight.pointer(as: T.self), ip = indices.readPointer(Int64.self)
        wp.update(repeating: 0, count: gradWeight.numel)
        for i in 0..<indices.numel {
            let row = Int(ip[i])
            if row == paddingIndex { continue }
            let s = gp + i * d, t = wp + row * d
            for j in 0..<d { t[j] += s[j] }
        }
    }
}
