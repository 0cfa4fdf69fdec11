// Test support: closeness checks, the golden-data loader, and a finite-difference gradient checker.
import Foundation
import Ember

/// The package root (three levels above this file).
public let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The golden directory: `EMBER_GOLDEN_DIR` when set, else the copy committed in `Tests/Fixtures/golden`.
public var goldenDirectory: URL {
    if let d = ProcessInfo.processInfo.environment["EMBER_GOLDEN_DIR"], !d.isEmpty { return URL(fileURLWithPath: d) }
    return packageRoot.appendingPathComponent("Tests/Fixtures/golden")
}

/// The real datasets directory (`EMBER_DATA_DIR`), or nil when the opt-in data tests are off.
public var dataDirectory: URL? {
    guard let d = ProcessInfo.processInfo.environment["EMBER_DATA_DIR"], !d.isEmpty else { return nil }
    return URL(fileURLWithPath: d)
}

/// A golden file or entry that is missing or not in the documented format: thrown so the test fails with this
/// message instead of stopping the test process.
public struct GoldenFormatError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Loads a JSON file from the golden directory; a missing or unreadable file throws naming its path.
public func loadGoldenJSON(_ name: String) throws -> [String: Any] {
    let url = goldenDirectory.appendingPathComponent(name)
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
        throw GoldenFormatError("\(url.path): cannot be read (\(error.localizedDescription))")
    }
    guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw GoldenFormatError("\(url.path): top level is not an object")
    }
    return obj
}

/// Builds a tensor from the golden format `{"shape": [...], "dtype": "...", "data": [...]}`; anything else
/// (a missing entry, an unknown dtype, a data count that does not match the shape) throws naming `what`.
public func goldenTensor(_ any: Any?, _ what: @autoclosure () -> String = "tensor") throws -> Tensor {
    guard let d = any as? [String: Any] else {
        throw GoldenFormatError("golden \(what()): \(any == nil ? "missing" : "not a tensor object")")
    }
    guard let shape = d["shape"] as? [Int], shape.allSatisfy({ $0 >= 0 }), let dt = d["dtype"] as? String,
          let dtype = DType(rawValue: dt), let data = d["data"] as? [Any] else {
        throw GoldenFormatError("golden \(what()): not a tensor: \(String(describing: any).prefix(200))")
    }
    let count = shape.reduce(Optional(1)) { n, d in n.flatMap { $0.multipliedReportingOverflow(by: d) }.flatMap { $0.overflow ? nil : $0.partialValue } }
    guard count == data.count else {
        throw GoldenFormatError("golden \(what()): \(data.count) values for shape \(shape)")
    }
    let values: [Double] = data.map { v in
        if let b = v as? Bool, dtype == .bool { return b ? 1 : 0 }
        if let n = v as? NSNumber { return n.doubleValue }
        if let s = v as? String { return s == "nan" || s == "NaN" ? .nan : (s.hasPrefix("-") ? -.infinity : .infinity) }
        return .nan
    }
    if dtype == .int64 {
        return Tensor(data.map { ($0 as? NSNumber)?.int64Value ?? 0 }, shape: shape)
    }
    return Tensor(values, shape: shape).to(dtype)
}

/// Compares `actual` with `expected` elementwise: |a - e| <= atol + rtol * |e| (NaNs must match, shapes must be equal).
/// Returns nil when close, or a description of the first mismatches.
///
/// - Parameters:
///   - actual: The computed tensor.
///   - expected: The reference tensor.
///   - rtol: The relative tolerance.
///   - atol: The absolute tolerance.
///   - label: Names the comparison in the failure message.
public func closeness(_ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-5, atol: Double = 1e-6, label: String = "") -> String? {
    if actual.shape != expected.shape { return "\(label): shape \(actual.shape) != expected \(expected.shape)" }
    let a = actual.scalars, e = expected.scalars
    var bad: [String] = []
    var worst = 0.0
    for i in 0..<a.count {
        let x = a[i], y = e[i]
        if x.isNaN && y.isNaN { continue }
        if x == y { continue }
        let err = Swift.abs(x - y)
        if !(err <= atol + rtol * Swift.abs(y)) {
            worst = Swift.max(worst, err)
            if bad.count < 5 { bad.append("[\(i)] \(x) vs \(y)") }
        }
    }
    return bad.isEmpty ? nil : "\(label): \(bad.count)+ mismatches (max abs err \(worst)): " + bad.joined(separator: ", ")
}

/// Finite-difference gradient check in float64, like `torch.autograd.gradcheck`.
///
/// `f` maps the inputs to one output tensor. The output is projected on a fixed random direction so one
/// backward gives the full gradient; each input element is then perturbed by ±eps.
/// Returns nil when analytical and numerical gradients agree, else a description.
///
/// - Parameters:
///   - inputs: The float64 inputs to perturb (those with `requiresGrad`).
///   - eps: The finite-difference step.
///   - atol: The absolute tolerance.
///   - rtol: The relative tolerance.
///   - f: The function to check, from the inputs to one tensor.
public func gradcheck(_ inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3,
                      _ f: ([Tensor]) -> Tensor) -> String? {
    let xs = inputs.map { t -> Tensor in
        let d = t.detach().to(.float64).clone()
        if t.dtype.isFloatingPoint { d.requiresGrad = true }
        return d
    }
    let out0 = f(xs)
    // A deterministic projection direction.
    var state: UInt64 = 0x9E3779B97F4A7C15
    let dir = Tensor((0..<out0.numel).map { _ -> Double in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53) * 2 - 1
    }, shape: out0.shape)
    let scalarOut = (out0.to(.float64) * dir).sum()
    let diffInputs = xs.filter { $0.requiresGrad }
    // An output that does not depend on the inputs through the graph (the constant first derivatives of a linear
    // op, under gradgradcheck) has zero derivatives.
    let analytic = scalarOut.requiresGrad ? grad(of: [scalarOut], with: diffInputs, allowUnused: true)
                                          : [Tensor?](repeating: nil, count: diffInputs.count)
    var report: [String] = []
    for (k, x) in diffInputs.enumerated() {
        let an = analytic[k]?.scalars ?? [Double](repeating: 0, count: x.numel)
        let flat = noGrad { x.detach().contiguous() }
        for i in 0..<x.numel {
            let orig = flat.scalarAt(i)
            func evalAt(_ v: Double) -> Double {
                noGrad {
                    let p = flat.clone()
                    p.pointer(as: Double.self)[i] = v
                    let args = xs.map { $0 === x ? p : $0.detach() }
                    return (f(args).to(.float64) * dir).sum().item()
                }
            }
            let num = (evalAt(orig + eps) - evalAt(orig - eps)) / (2 * eps)
            if Swift.abs(num - an[i]) > atol + rtol * Swift.abs(num) {
                if report.count < 6 { report.append("input \(k) element \(i): analytic \(an[i]) vs numeric \(num)") }
            }
        }
    }
    return report.isEmpty ? nil : "gradcheck failed: " + report.joined(separator: "; ")
}

/// One golden case's named inputs; reading a name the case lacks throws naming the case and the input
/// (instead of a force unwrap that would stop the test process).
public struct GoldenInputs {
    public let caseName: String
    public let tensors: [String: Tensor]
    public init(_ caseName: String, _ tensors: [String: Tensor]) {
        self.caseName = caseName
        self.tensors = tensors
    }
    public subscript(_ name: String) -> Tensor {
        get throws {
            guard let t = tensors[name] else { throw GoldenFormatError("golden case \(caseName) has no input '\(name)'") }
            return t
        }
    }
}
