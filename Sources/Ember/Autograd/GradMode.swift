// Grad mode: a per-thread switch that turns graph recording off (`noGrad { }`), nestable and thread-safe.
import Foundation

/// Whether ops record the autograd graph on the current thread (`torch.is_grad_enabled()`).
///
/// The flag is thread-local, so a DataLoader worker or a second training thread never sees another
/// thread's `noGrad` — PyTorch keeps it thread-local for the same reason.
public enum GradMode {
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// True unless the current thread is inside `noGrad { }`.
    public static var isEnabled: Bool { pthread_getspecific(key) == nil }

    /// Sets grad mode for the current thread; prefer `noGrad`/`enableGrad`, which restore it.
    public static func set(_ enabled: Bool) {
        pthread_setspecific(key, enabled ? nil : UnsafeRawPointer(bitPattern: 1))
    }
}

/// Runs `body` without recording the autograd graph (`with torch.no_grad():`). Nestable; restores the previous mode.
///
/// ```swift
/// noGrad { w -= lr * w.grad! }
/// ```
@discardableResult
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = GradMode.isEnabled
    GradMode.set(false)
    defer { GradMode.set(previous) }
    return try body()
}

/// Runs `body` with graph recording on (`with torch.enable_grad():`), even inside `noGrad`.
@discardableResult
public func enableGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = GradMode.isEnabled
    GradMode.set(true)
    defer { GradMode.set(previous) }
    return try body()
}
