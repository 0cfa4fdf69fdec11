// Property wrappers that register a module's tensors: @Parameter (trainable) and @Buffer (state such as running means).
import Ember

/// A tensor or optional tensor that can sit in a `@Parameter`/`@Buffer` property.
public protocol TensorSlotValue {
    init(slotTensor: Tensor?)
    var slotTensor: Tensor? { get }
}
extension Tensor: TensorSlotValue {
    public convenience init(slotTensor: Tensor?) {
        guard let t = slotTensor else { emberFail("Module", "cannot assign nil to a non-optional parameter or buffer") }
        self.init(storage: t.storage, shape: t.shape, strides: t.strides, storageOffset: t.storageOffset, dtype: t.dtype)
    }
    public var slotTensor: Tensor? { self }
}
extension Optional: TensorSlotValue where Wrapped == Tensor {
    public init(slotTensor: Tensor?) { self = slotTensor }
    public var slotTensor: Tensor? { self }
}

/// What `Module` discovers through reflection: a named tensor slot of a module.
protocol RegisteredTensorSlot: AnyObject {
    var tensor: Tensor? { get }
    func replace(_ t: Tensor?)
    var key: String? { get }
    var isBuffer: Bool { get }
    var persistent: Bool { get }
}

/// Registers a trainable tensor of a module, like assigning an `nn.Parameter` in PyTorch.
///
/// The tensor is made a leaf that requires grad. State-dict keys default to the snake_case of the property
/// name (`inProj` → `in_proj`); pass `key:` to override.
///
/// ```swift
/// final class Affine: Module {
///     @Parameter var weight: Tensor
///     @Parameter var bias: Tensor?
/// }
/// ```
@propertyWrapper
public final class Parameter<Value: TensorSlotValue>: RegisteredTensorSlot {
    private var value: Value
    public let key: String?
    public var wrappedValue: Value {
        get { value }
        set { value = newValue; Parameter.prepare(newValue.slotTensor) }
    }
    public init(wrappedValue: Value, key: String? = nil) {
        self.value = wrappedValue
        self.key = key
        Parameter.prepare(wrappedValue.slotTensor)
    }
    private static func prepare(_ t: Tensor?) {
        guard let t = t, !t.requiresGrad, t.isLeaf, t.dtype.isFloatingPoint else { return }
        t.requiresGrad = true
    }
    var tensor: Tensor? { value.slotTensor }
    func replace(_ t: Tensor?) {
        if let v = t as? Value { wrappedValue = v } else { wrappedValue = Value(slotTensor: t) }
    }
    var isBuffer: Bool { false }
    var persistent: Bool { true }
}

/// Registers a non-trainable tensor that belongs to a module's state (`register_buffer`), such as
/// BatchNorm's `running_mean`. `persistent: false` keeps it out of the state dict, as in PyTorch.
@propertyWrapper
public final class Buffer<Value: TensorSlotValue>: RegisteredTensorSlot {
    private var value: Value
    public let key: String?
    public let persistent: Bool
    public var wrappedValue: Value {
        get { value }
        set { value = newValue }
    }
    /// Registers a buffer under the property's snake_case name, or `key`.
    ///
    /// - Parameters:
    ///   - wrappedValue: The initial tensor (or nil).
    ///   - key: The state-dict key (nil: the property's name in snake_case).
    ///   - persistent: Whether the buffer is part of the state dict.
    public init(wrappedValue: Value, key: String? = nil, persistent: Bool = true) {
        self.value = wrappedValue
        self.key = key
        self.persistent = persistent
    }
    var tensor: Tensor? { value.slotTensor }
    func replace(_ t: Tensor?) {
        if let v = t as? Value { wrappedValue = v } else { wrappedValue = Value(slotTensor: t) }
    }
    var isBuffer: Bool { true }
}

/// `runningMean` → `running_mean`: PyTorch's attribute names from Swift property names.
func snakeCase(_ name: String) -> String {
    var out = ""
    for (i, ch) in name.enumerated() {
        if ch.isUppercase {
            if i > 0 { out.append("_") }
            out.append(Character(ch.lowercased()))
        } else {
            out.append(ch)
        }
    }
    return out
}
