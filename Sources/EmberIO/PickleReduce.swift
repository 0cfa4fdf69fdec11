// What REDUCE may build: empty OrderedDicts, torch.Size, and tensors rebuilt from storages (never arbitrary calls).
import Ember

extension Unpickler {
    /// "Calls" one of the allowed globals with `args`, in Swift.
    func reduce(_ callable: AllowedGlobal, _ args: [PyObject]) throws -> PyObject {
        switch callable {
        case .orderedDict:
            guard args.isEmpty else { throw fail(.malformed("OrderedDict(...) with arguments is not supported")) }
            return arena.dict(ordered: true)
        case .torchSize:
            guard args.count == 1, case .tuple(let t) = args[0], case let dims = t.items, dims.allSatisfy({ if case .int = $0 { return true }; return false }) else {
                throw fail(.malformed("torch.Size expects a tuple of ints"))
            }
            return arena.tuple(dims)
        case .rebuildTensorV2:
            // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            guard args.count == 6 || args.count == 7 else {
                throw fail(.malformed("_rebuild_tensor_v2 takes 6 or 7 arguments, got \(args.count)"))
            }
            guard case .storage(let storage) = args[0] else { throw fail(.malformed("_rebuild_tensor_v2: first argument is not a storage")) }
            guard case .int(let offset) = args[1] else { throw fail(.malformed("_rebuild_tensor_v2: storage offset is not an int")) }
            let size = try ints(args[2], "size"), stride = try ints(args[3], "stride")
            guard case .bool(let requiresGrad) = args[4] else { throw fail(.malformed("_rebuild_tensor_v2: requires_grad is not a bool")) }
            guard case .dict(let hooks) = args[5], hooks.keys.isEmpty else {
                throw fail(.malformed("_rebuild_tensor_v2: backward hooks must be an empty OrderedDict"))
            }
            if args.count == 7 {
                switch args[6] {
                case .none: break
                case .dict(let d) where d.keys.isEmpty: break
                default: throw fail(.malformed("_rebuild_tensor_v2: tensor metadata is not supported"))
                }
            }
            let t = try rebuildTensor(storage, offset: offset, size: size, stride: stride)
            if requiresGrad {
                guard t.dtype.isFloatingPoint else { throw fail(.malformed("requires_grad on a \(t.dtype) tensor")) }
                t.requiresGrad = true
            }
            return .tensor(t)
        case .rebuildParameter:
            // _rebuild_parameter(data, requires_grad, backward_hooks): nn.Parameter, a plain tensor in Ember.
            guard args.count == 3, case .tensor(let t) = args[0], case .bool(let requiresGrad) = args[1],
                  case .dict(let hooks) = args[2], hooks.keys.isEmpty else {
                throw fail(.malformed("_rebuild_parameter expects (tensor, bool, empty OrderedDict)"))
            }
            if requiresGrad != t.requiresGrad {
                guard t.dtype.isFloatingPoint || !requiresGrad else { throw fail(.malformed("requires_grad on a \(t.dtype) tensor")) }
                t.requiresGrad = requiresGrad
            }
            return .tensor(t)
        case .storageType:
            throw fail(.malformed("storage types cannot be called"))
        case .dtype(let name):
            throw fail(.malformed("torch.\(name) cannot be called"))
        case .rebuildTensorV3:
            // _rebuild_tensor_v3(storage, offset, size, stride, requires_grad, hooks, dtype[, metadata]): torch.save
            // writes it for the dtypes that have no typed storage, none of which Ember holds.
            guard args.count >= 7, case .global(.dtype(let name)) = args[6] else {
                throw fail(.malformed("_rebuild_tensor_v3 expects a torch dtype as its seventh argument"))
            }
            throw fail(.unsupportedDtype(name))
        }
    }

    private func ints(_ o: PyObject, _ what: String) throws -> [Int] {
        guard case .tuple(let t) = o, case let items = t.items else { throw fail(.malformed("_rebuild_tensor_v2: \(what) is not a tuple")) }
        return try items.map {
            guard case .int(let v) = $0 else { throw fail(.malformed("_rebuild_tensor_v2: \(what) holds a non-int")) }
            return v
        }
    }

    /// A view of `storage` with PyTorch's geometry, after checking every element it can reach lies inside it.
    func rebuildTensor(_ storage: PickledStorage, offset: Int, size: [Int], stride: [Int]) throws -> Tensor {
        guard size.count == stride.count else {
            throw fail(.malformed("size \(size) and stride \(stride) have different lengths"))
        }
        guard size.count <= 64 else { throw fail(.malformed("\(size.count) dimensions")) }
        guard offset >= 0, size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }) else {
            throw fail(.malformed("negative offset, size or stride (offset \(offset), size \(size), stride \(stride))"))
        }
        guard ShapeArithmetic.byteCount(size, itemSize: storage.dtype.itemSize) != nil, let reach = ShapeArithmetic.lastReachableIndex(shape: size, strides: stride) else {
            throw fail(.malformed("size \(size) with stride \(stride) overflows"))
        }
        // The largest element index the view can touch must be inside the storage (a view with no elements
        // touches none, but its offset must still lie within the storage or just past its end).
        let empty = size.contains(0)
        let (last, o) = offset.addingReportingOverflow(reach)
        guard !o, empty ? offset <= storage.numel : last < storage.numel else {
            throw fail(.malformed(empty ? "storage offset \(offset) beyond a storage of \(storage.numel) elements"
                                        : "view (offset \(offset), size \(size), stride \(stride)) reaches element \(o ? "past Int.max" : String(last)) of a storage of \(storage.numel)"))
        }
        return Tensor(storage: storage.storage, shape: size, strides: stride, storageOffset: offset, dtype: storage.dtype)
    }
}
