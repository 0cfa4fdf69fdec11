// Default collation: how a list of samples becomes one batch (`torch.utils.data.default_collate`).
import Foundation
import Ember

/// A sample type the default collation knows how to batch (`default_collate`'s cases).
///
/// Tensors are stacked along a new dimension 0; Swift numbers become 1-d tensors (`Int` → int64,
/// `Double` → float64, `Float` → float32, `Bool` → bool, as PyTorch does with Python numbers); strings stay
/// a list; arrays and dictionaries are collated position by position / key by key. Tuples of up to three
/// collatable values are handled by `DataLoader`'s initializers (Swift tuples cannot conform to protocols).
public protocol Collatable {
    /// What a batch of these samples becomes.
    associatedtype Collated
    /// Batches `samples` (never empty).
    static func collate(_ samples: [Self]) -> Collated
}

extension Tensor: Collatable {
    /// Stacks the samples into one `[B, ...]` tensor (`torch.stack(batch, 0)`).
    public static func collate(_ samples: [Tensor]) -> Tensor { stackBatch(samples) }
}

extension Int: Collatable {
    /// `tensor(batch)` as int64, shape `[B]`.
    public static func collate(_ samples: [Int]) -> Tensor { Tensor(samples.map { Int64($0) }, shape: [samples.count]) }
}
extension Int64: Collatable {
    public static func collate(_ samples: [Int64]) -> Tensor { Tensor(samples, shape: [samples.count]) }
}
extension Int32: Collatable {
    public static func collate(_ samples: [Int32]) -> Tensor { Tensor(samples, shape: [samples.count]) }
}
extension Double: Collatable {
    /// `tensor(batch, dtype=float64)`, as PyTorch does for Python floats.
    public static func collate(_ samples: [Double]) -> Tensor { Tensor(samples, shape: [samples.count]) }
}
extension Float: Collatable {
    public static func collate(_ samples: [Float]) -> Tensor { Tensor(samples, shape: [samples.count]) }
}
extension Bool: Collatable {
    public static func collate(_ samples: [Bool]) -> Tensor { Tensor(samples, shape: [samples.count]) }
}
extension String: Collatable {
    /// Strings are kept as a list, as PyTorch does.
    public static func collate(_ samples: [String]) -> [String] { samples }
}

extension Array: Collatable where Element: Collatable {
    /// Position by position: `[[a0, b0], [a1, b1]]` → `[collate([a0, a1]), collate([b0, b1])]`.
    public static func collate(_ samples: [[Element]]) -> [Element.Collated] {
        let n = samples[0].count
        emberCheck(samples.allSatisfy { $0.count == n }, "default_collate", "each element in list of batch should be of equal size")
        return (0..<n).map { j in Element.collate(samples.map { $0[j] }) }
    }
}

extension Dictionary: Collatable where Value: Collatable {
    /// Key by key: `[{"x": a0}, {"x": a1}]` → `{"x": collate([a0, a1])}`; every sample needs the first one's keys.
    public static func collate(_ samples: [[Key: Value]]) -> [Key: Value.Collated] {
        var out: [Key: Value.Collated] = [:]
        for key in samples[0].keys {
            out[key] = Value.collate(samples.map { s in
                guard let v = s[key] else { emberFail("default_collate", "key \(key) missing from a sample of the batch") }
                return v
            })
        }
        return out
    }
}

/// Stacks equally shaped tensors along a new dimension 0, allocating the `[B, ...]` batch once.
///
/// Matches `torch.stack(tensors, 0)` including dtype promotion; contiguous samples of the batch's dtype
/// are copied with one `memcpy` each (the fast path of the data loader). The result never records autograd.
public func stackBatch(_ tensors: [Tensor]) -> Tensor {
    emberCheck(!tensors.isEmpty, "stack", "expects a non-empty TensorList")
    let shape = tensors[0].shape
    var dtype = tensors[0].dtype
    for (i, t) in tensors.enumerated() {
        if t.shape != shape {
            emberFail("stack", "stack expects each tensor to be equal size, but got \(shapeString(shape)) at entry 0 and \(shapeString(t.shape)) at entry \(i)")
        }
        dtype = DType.promote(dtype, t.dtype)
    }
    let out = Tensor(empty: [tensors.count] + shape, dtype: dtype)
    let itemBytes = shape.reduce(1, *) * dtype.itemSize
    let base = out.rawPointer
    noGrad {
        for (i, t) in tensors.enumerated() {
            if t.dtype == dtype && t.isContiguous {
                (base + i * itemBytes).copyMemory(from: t.rawPointer, byteCount: itemBytes)
            } else {
                out.select(0, i).copy_(t)
            }
        }
    }
    return out
}
