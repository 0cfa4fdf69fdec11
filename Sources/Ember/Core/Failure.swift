// Stop-with-message for programming errors (shape mismatch, bad dim, ...), printed in every build mode.
import Foundation

/// Stops the program with `op: message`, printed to standard error in debug *and* release builds.
///
/// Swift's `precondition` traps without printing its message under `-c release`; users train in
/// release builds, so every programming-error check in Ember goes through here (built on `fatalError`).
///
/// - Parameters:
///   - op: The op or component that failed (`matmul`).
///   - message: What was wrong, with the shapes or values involved.
///   - file: The source file of the call (filled in by the compiler).
///   - line: The source line of the call (filled in by the compiler).
@inline(never)
public func emberFail(_ op: String, _ message: String, file: StaticString = #file, line: UInt = #line) -> Never {
    let text = "\(op): \(message)"
    FileHandle.standardError.write(("Ember error: " + text + "\n").data(using: .utf8)!)
    fatalError(text, file: file, line: line)
}

/// Checks `condition`; when false stops with `op: message` (see `emberFail`). The message is built lazily.
@inline(__always)
public func emberCheck(_ condition: @autoclosure () -> Bool, _ op: @autoclosure () -> String,
                       _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition() { emberFail(op(), message(), file: file, line: line) }
}

/// Formats a shape as PyTorch prints it in messages: `[2, 3]`.
@inlinable
public func shapeString(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
