// LiveWeightsCache: a convolution forward's gathered live-tap weights, kept for the backward of the same step.
import Foundation

/// Identifies a weight's values between a forward and its backward: the tensor's version counter object and its
/// value. An in-place write bumps the value, so a weight changed in between never matches.
public struct WeightVersion {
    /// The object whose identity stands for the weight's storage (the tensor's version counter).
    public let owner: AnyObject
    /// The count of in-place writes so far.
    public let value: Int

    /// - Parameters:
    ///   - owner: The weight's version counter object.
    ///   - value: Its current value.
    public init(owner: AnyObject, value: Int) {
        self.owner = owner
        self.value = value
    }
}

/// The live-tap weight columns (`ConvKernels.liveWeights`) that a training forward gathered, kept until the
/// backward of the same step takes them, so that it does not gather them again. ResNet-18's last stage on 32×32
/// images keeps 1 tap of 9, and each gather reads all 9.4 MB of a 512×512×3×3 weight for 1 MB of centre taps: six
/// gathers a step, 4.4% of it on one thread.
///
/// An entry matches only the same weight memory, element size, geometry, output channels and `WeightVersion`; the
/// entry holds the version's owner, so its identity cannot pass to another tensor while the entry lives. At most
/// `capacity` entries and `byteCapacity` bytes: a forward whose backward never comes (evaluation outside `noGrad`)
/// is evicted oldest first; a single entry over `byteCapacity` is not kept at all.
/// PyTorch has no such cache (it gathers nothing: its convolutions keep every tap).
public final class LiveWeightsCache: @unchecked Sendable {
    /// The program's cache.
    public static let shared = LiveWeightsCache()
    /// The cache `ConvKernels` uses: `shared`, or a test's own (tests run side by side in one process).
    @TaskLocal public static var current = shared
    /// Most entries held at once.
    public static let capacity = 16
    /// Most bytes held at once (ResNet-18's last stage keeps ~5 MB between a forward and its backward).
    public static let byteCapacity = 64 << 20

    @usableFromInline
    struct Key: Hashable {
        let weight: UnsafeRawPointer, elementSize: Int, outChannels: Int, geometry: ConvGeometry
        let owner: ObjectIdentifier, version: Int
    }

    private struct Entry {
        let key: Key, owner: AnyObject, block: UnsafeMutableRawPointer, bytes: Int
    }

    private var entries: [Entry] = []
    private let lock = NSLock()

    /// An empty cache of its own (tests, with `current`); the program uses `shared`.
    public init() {}

    @usableFromInline
    static func key<T>(_ weight: UnsafePointer<T>, outChannels: Int, _ g: ConvGeometry, _ version: WeightVersion) -> Key {
        Key(weight: UnsafeRawPointer(weight), elementSize: MemoryLayout<T>.stride, outChannels: outChannels, geometry: g,
            owner: ObjectIdentifier(version.owner), version: version.value)
    }

    /// Keeps `buffer` (from `HostMemory.shared`; the cache now owns it) under the weight's key, replacing an entry of
    /// the same key and evicting the oldest beyond `capacity` entries or `byteCapacity` bytes.
    @usableFromInline
    func store<T>(_ buffer: ScratchBuffer<T>, weight: UnsafePointer<T>, outChannels: Int, _ g: ConvGeometry,
                  _ version: WeightVersion) {
        let key = LiveWeightsCache.key(weight, outChannels: outChannels, g, version)
        let entry = Entry(key: key, owner: version.owner, block: UnsafeMutableRawPointer(buffer.pointer),
                          bytes: buffer.count * MemoryLayout<T>.stride)
        lock.lock()
        var dropped = entries.filter { $0.key == key }
        entries.removeAll { $0.key == key }
        entries.append(entry)
        while entries.count > LiveWeightsCache.capacity || entries.reduce(0, { $0 + $1.bytes }) > LiveWeightsCache.byteCapacity {
            dropped.append(entries.removeFirst())
        }
        lock.unlock()
        for e in dropped { HostMemory.shared.deallocate(e.block, byteCount: e.bytes) }
    }

    /// Takes out the buffer stored under the weight's key (the caller releases it), or nil.
    @usableFromInline
    func take<T>(weight: UnsafePointer<T>, outChannels: Int, _ g: ConvGeometry, _ version: WeightVersion,
                 count: Int) -> ScratchBuffer<T>? {
        let key = LiveWeightsCache.key(weight, outChannels: outChannels, g, version)
        lock.lock()
        defer { lock.unlock() }
        guard let i = entries.firstIndex(where: { $0.key == key }) else { return nil }
        let entry = entries.remove(at: i)
        precondition(entry.bytes == count * MemoryLayout<T>.stride, "LiveWeightsCache: entry of \(entry.bytes) bytes for \(count) elements")
        return ScratchBuffer(adopting: entry.block.assumingMemoryBound(to: T.self), count: count)
    }

    /// Entries held (tests).
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }
}
