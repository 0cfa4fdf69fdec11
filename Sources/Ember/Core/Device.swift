// Device: where a tensor's memory lives, and how a device finds its backend.
import Foundation

/// Where a tensor's storage lives. Only `.cpu` has a backend today; the case exists so that a CUDA
/// backend can arrive without changing the front API (`x.to(.cuda(0))` will stop with a clear message until then).
public enum Device: Equatable, Hashable, Sendable, CustomStringConvertible {
    case cpu
    case cuda(Int)
    public var description: String {
        switch self { case .cpu: return "cpu"; case .cuda(let i): return "cuda:\(i)" }
    }
}

/// Backends of devices other than the CPU, registered at run time (a CUDA backend, or a test's checking backend).
private let registeredBackends = BackendRegistry()

private final class BackendRegistry: @unchecked Sendable {
    private var backends: [Device: Backend] = [:]
    private let lock = NSLock()
    subscript(device: Device) -> Backend? {
        get { lock.lock(); defer { lock.unlock() }; return backends[device] }
        set { lock.lock(); defer { lock.unlock() }; backends[device] = newValue }
    }
}

/// Makes `backend` serve `backend.device` for the rest of the process, so that `Tensor(empty:device:)`,
/// `x.to(device)` and every fused primitive on tensors of that device go through it. This is how a device
/// backend outside core (a CUDA backend, or a test's checking backend) plugs in; nothing registers one by
/// default, so in a plain build `x.to(.cuda(0))` still stops with a clear message. The CPU backend is fixed.
public func registerBackend(_ backend: Backend) {
    emberCheck(backend.device != .cpu, "registerBackend", "the cpu backend cannot be replaced")
    registeredBackends[backend.device] = backend
}

/// The backend for a device; stops with a message for devices without one.
public func backend(for device: Device) -> Backend {
    if device == .cpu { return CPUBackend.shared }
    if let registered = registeredBackends[device] { return registered }
    emberFail("to", "device \(device) is not available: this build of Ember has only the CPU backend")
}
