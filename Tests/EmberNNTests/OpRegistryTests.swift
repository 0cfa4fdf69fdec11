// Walks the op registry (_EmberTestSupport/OpInfo): every sample against its reference, on non-contiguous inputs,
// by finite differences, with the node names it must record; every error input; and the coverage of Sources/.
import Testing
import Foundation
import Ember
import EmberNN
import _EmberTestSupport

/// The names of the nodes reachable from `root` (the graph below an output or a gradient).
private func nodeNames(_ root: GradFn?) -> Set<String> {
    var names = Set<String>(), seen = Set<ObjectIdentifier>(), stack = [root].compactMap { $0 }
    while let node = stack.popLast() {
        guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
        names.insert(node.name)
        stack += node.nextFunctions.compactMap { $0 }
    }
    return names
}

/// Fresh leaves with the same values: floating inputs require grad, the others are passed as they are.
private func leaves(_ inputs: [Tensor]) -> [Tensor] {
    inputs.map { $0.dtype.isFloatingPoint ? $0.detach().clone().requiresGrad_() : $0 }
}

/// The same values in a non-contiguous view (every other element of a wider storage), as leaves.
private func noncontiguousLeaves(_ inputs: [Tensor]) -> [Tensor] {
    inputs.map { t in
        guard t.dtype.isFloatingPoint else { return t }
        guard t.rank > 0, t.numel > 0 else { return t.detach().clone().requiresGrad_() }
        let wide = noGrad { Tensor.stack([t.detach(), Tensor.zerosLike(t)], dim: -1).select(-1, 0) }
        return wide.requiresGrad_()
    }
}

/// The gradients of `(y · direction).sum()` with respect to the floating `inputs` (zeros where unused), recorded
/// with `createGraph` so that the nodes of a second differentiation appear below them.
private func gradients(_ y: Tensor, _ inputs: [Tensor]) -> [Tensor] {
    let wrt = inputs.filter { $0.requiresGrad }
    guard y.requiresGrad, !wrt.isEmpty else { return [] }
    // An upstream gradient that requires grad, as gradgradcheck's: the backward then records its own nodes.
    let direction = sample(y.shape, seed: 99).to(y.dtype).requiresGrad_()
    let g = grad(of: [(y * direction).sum()], with: wrt, createGraph: true, allowUnused: true)
    return zip(g, wrt).map { $0 ?? Tensor.zerosLike($1) }
}

@Suite("Op registry")
struct OpRegistryTests {
    @Test("registry entry", arguments: OpRegistry.all.map(\.name))
    func entry(_ name: String) throws {
        let info = try #require(OpRegistry.entry(named: name))
        var recorded = Set<String>()
        for s in info.samples {
            let what = "\(name), \(s.label)"
            let xs = leaves(s.inputs)
            let y = s.call(xs)
            let (rtol, atol) = y.dtype == .float64 ? (1e-9, 1e-12) : (1e-5, 1e-6)
            if let reference = s.reference {
                let expected = noGrad { reference(s.inputs.map { $0.detach().contiguous() }) }
                #expect(closeness(y.detach(), expected, rtol: rtol, atol: atol, label: what) == nil, "\(what): value vs reference")
            }
            let grads = gradients(y, xs)
            recorded.formUnion(nodeNames(y.gradFn))
            for g in grads { recorded.formUnion(nodeNames(g.gradFn)) }

            // PyTorch's test_noncontiguous_samples: strided inputs give the same values and gradients.
            let ncs = noncontiguousLeaves(s.inputs)
            let yn = s.call(ncs)
            #expect(closeness(yn.detach(), y.detach(), rtol: rtol, atol: atol, label: what) == nil, "\(what): non-contiguous inputs")
            for (gn, g) in zip(gradients(yn, ncs), grads) {
                #expect(closeness(gn.detach(), g.detach(), rtol: rtol, atol: atol, label: what) == nil, "\(what): gradient, non-contiguous inputs")
            }

            if info.firstOrder == .registry {
                let failure = gradcheck(s.inputs, eps: info.eps, s.call)
                #expect(failure == nil, "\(what): \(failure ?? "")")
            }
            if info.secondOrder == .registry {
                let failure = gradgradcheck(s.inputs, eps: info.eps, s.call)
                #expect(failure == nil, "\(what): \(failure ?? "")")
            }
        }
        for node in info.nodes {
            #expect(recorded.contains(node), "\(name): no sample recorded \(node) (recorded: \(recorded.sorted()))")
        }
        for level in [info.firstOrder, info.secondOrder] {
            if case .elsewhere(let file, let call) = level {
                let text = try String(contentsOf: packageRoot.appendingPathComponent("Tests/" + file), encoding: .utf8)
                #expect(text.contains("gradcheck") && text.contains(call), "\(name): \(file) is named as the gradcheck of \(call) but has none")
            }
        }
        if !info.golden.isEmpty {
            let cases = try (loadGoldenJSON("ops.json")["cases"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            for golden in info.golden { #expect(cases.contains(golden), "\(name): golden case \(golden) is not in ops.json") }
        }
    }

    @Test("error input stops with its message", arguments: OpErrorCase.all)
    func errorInput(_ c: OpErrorCase) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [c] in c.trigger() }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains(c.message), "\(c): stderr was \(text.prefix(500))")
    }

    /// Every `"...BackwardN"` name recorded in Sources/ (and every interpolated `"...Backward\(n)"` stem) has an
    /// entry, and every entry's node is recorded somewhere.
    @Test("every autograd node recorded in Sources/ has a registry entry")
    func coverage() throws {
        let sources = packageRoot.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        let literal = try NSRegularExpression(pattern: #""([A-Z][A-Za-z0-9]*Backward[0-9]+)""#)
        let interpolated = try NSRegularExpression(pattern: #""([A-Z][A-Za-z0-9]*Backward)\\\("#)
        var names = Set<String>(), stems = Set<String>()
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for m in literal.matches(in: text, range: range) { names.insert(String(text[Range(m.range(at: 1), in: text)!])) }
            for m in interpolated.matches(in: text, range: range) { stems.insert(String(text[Range(m.range(at: 1), in: text)!])) }
        }
        // Guards the scan itself: a pattern that matched nothing would pass vacuously.
        #expect(names.contains("AddBackward0") && stems.contains("SumBackward"))
        let entryNames = OpRegistry.all.map(\.name)
        #expect(Set(entryNames).count == entryNames.count, "entry names must be unique: the walk finds entries by name")
        let registered = Set(OpRegistry.all.flatMap(\.nodes))
        let missing = names.subtracting(registered).sorted()
        #expect(missing.isEmpty, "recorded in Sources/ but without a registry entry: \(missing)")
        for stem in stems {
            #expect(registered.contains { $0.hasPrefix(stem) && $0.dropFirst(stem.count).allSatisfy(\.isNumber) },
                    "\(stem)N is recorded in Sources/ but no registry entry names it")
        }
        let stale = registered.filter { r in !names.contains(r) && !stems.contains { r.hasPrefix($0) } }.sorted()
        #expect(stale.isEmpty, "registry nodes that Sources/ never records: \(stale)")
    }
}
