// The backward engine: runs the graph from the outputs back to the leaves in dependency order.

enum Engine {
    /// Runs backward from `roots` seeded with `seeds`. When `targets` is given (autograd.grad), returns the
    /// gradients flowing into those tensors instead of accumulating into leaves' `.grad`.
    static func run(roots: [Tensor], seeds: [Tensor], retainGraph: Bool, createGraph: Bool,
                    targets: [Tensor]? = nil, allowUnused: Bool = false) -> [Tensor?] {
        var rootNodes: [GradFn] = []
        for r in roots {
            guard r.requiresGrad, let node = r.gradEdge else {
                emberFail("backward", "element 0 of tensors does not require grad and does not have a grad_fn")
            }
            rootNodes.append(node)
        }
        let targetNodes: [GradFn]? = targets?.map { t in
            guard t.requiresGrad, let n = t.gradEdge else {
                emberFail("grad", "One of the differentiated Tensors does not require grad")
            }
            return n
        }
        let targetIDs = Set(targetNodes?.map(ObjectIdentifier.init) ?? [])

        // Count, for every reachable node, how many edges point to it.
        var dependencies: [ObjectIdentifier: Int] = [:]
        var seen: Set<ObjectIdentifier> = []
        var stack = rootNodes
        while let node = stack.popLast() {
            let id = ObjectIdentifier(node)
            if seen.contains(id) { continue }
            seen.insert(id)
            for case let next? in node.nextFunctions {
                dependencies[ObjectIdentifier(next), default: 0] += 1
                stack.append(next)
            }
        }

        var buffers: [ObjectIdentifier: Tensor] = [:]
        var captured: [ObjectIdentifier: Tensor] = [:]
        let previousMode = GradMode.isEnabled
        GradMode.set(createGraph)
        defer { GradMode.set(previousMode) }

        func accumulate(_ g: Tensor, into node: GradFn) {
            let id = ObjectIdentifier(node)
            if let existing = buffers[id] { buffers[id] = existing + g } else { buffers[id] = g }
        }
        for (node, seed) in zip(rootNodes, seeds) { accumulate(seed, into: node) }

        var ready = rootNodes.filter { dependencies[ObjectIdentifier($0)] == nil }
        var queued = Set(ready.map(ObjectIdentifier.init))
        while let node = ready.popLast() {
            let id = ObjectIdentifier(node)
            guard var g = buffers.removeValue(forKey: id) else { continue }
            if targetIDs.contains(id) { captured[id] = g }
            if let owner = node.retainedOutput {
                // retain_grad accumulates across backward calls, like a leaf's .grad.
                let incoming = createGraph ? g : g.detach()
                if let existing = owner.grad {
                    owner.grad = createGraph ? existing + incoming : noGrad { existing + incoming }
                } else {
                    owner.grad = createGraph ? incoming : noGrad { incoming.clone() }
                }
            }

            if let acc = node as? AccumulateGrad {
                if targets == nil {
                    let exclusive = !createGraph && isExclusive(&g)
                    accumulateIntoLeaf(acc.variable, g, createGraph: createGraph, exclusive: exclusive)
                    for entry in acc.variable.postAccumulateGradHooks { entry.hook(acc.variable) }
                }
            } else {
                if node.released || node.backwardFn == nil {
                    emberFail("backward", "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call backward(). Specify retainGraph: true if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.")
                }
                for (counter, version) in node.savedVersions where counter.value != version {
                    emberFail("backward", "one of the variables needed for gradient computation has been modified by an inplace operation: the output of \(node.name) is at version \(counter.value); expected version \(version) instead.")
                }
                let inputGrads = node.backwardFn!(g)
                if !retainGraph { node.release() }
                for (next, ig) in zip(node.nextFunctions, inputGrads) {
                    guard let next = next, let ig = ig else { continue }
                    accumulate(ig, into: next)
                }
            }
            for case let next? in node.nextFunctions {
                let nid = ObjectIdentifier(next)
                let left = dependencies[nid]! - 1
                dependencies[nid] = left
                if left == 0 && !queued.contains(nid) { queued.insert(nid); ready.append(next) }
            }
        }

        guard let targetNodes = targetNodes else { return [] }
        return targetNodes.map { node in
            let g = captured[ObjectIdentifier(node)]
            if g == nil && !allowUnused {
                emberFail("grad", "One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.")
            }
            return g
        }
    }

    /// True when nothing but the caller's variable can reach `g` or its memory: no other reference to the
    /// tensor object or to its storage (views, seeds, captured `grad(of:)` results, saved tensors of a retained
    /// graph all hold one), and `g` covers its whole storage contiguously. Such a gradient can become a
    /// leaf's `.grad` as it is, without the defensive copy (a training step would otherwise copy every
    /// parameter's gradient once).
    private static func isExclusive(_ g: inout Tensor) -> Bool {
        guard g.gradFn == nil, !g.requiresGrad, g.isContiguous, g.storageOffset == 0,
              g.storage.byteCount == g.numel * g.dtype.itemSize else { return false }
        return isKnownUniquelyReferenced(&g) && isKnownUniquelyReferenced(&g.storage)
    }

    private static func accumulateIntoLeaf(_ leaf: Tensor, _ g: Tensor, createGraph: Bool, exclusive: Bool) {
        emberCheck(g.shape == leaf.shape, "backward",
                   "gradient of shape \(shapeString(g.shape)) does not match leaf of shape \(shapeString(leaf.shape))")
        let g = g.dtype == leaf.dtype ? g : g.to(leaf.dtype)
        if let existing = leaf.grad {
            if createGraph || existing.requiresGrad { leaf.grad = existing + g }
            else { noGrad { existing.addInPlace(g) } }
        } else {
            // Always a tensor of its own: the incoming one may be a broadcast view or alias a seed or another
            // buffer, and a later backward adds into .grad in place. (Under createGraph the clone stays
            // differentiable.) An exclusively owned gradient already is one, so it is kept without a copy.
            leaf.grad = createGraph ? g.clone() : exclusive ? g : noGrad { g.detach().clone() }
        }
    }
}
