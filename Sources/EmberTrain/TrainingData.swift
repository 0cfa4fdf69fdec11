// The datasets `ember train` knows, loaded with the preprocessing a model needs (channels, size, normalisation).
import Foundation
import Ember
import EmberData
import EmberVision

/// A dataset `ember train --dataset` names: Fashion-MNIST (ships with Ember), MNIST, CIFAR-10 or an image folder.
public enum DatasetChoice: Equatable, CustomStringConvertible {
    case fashionMNIST, mnist, cifar10
    /// `root/train/<class>/*` and `root/val/<class>/*` (the layout of the notes' hymenoptera data).
    case imageFolder(String)

    /// Parses `fashion-mnist`, `mnist`, `cifar10` or `imagefolder=PATH`.
    public init?(argument: String) {
        switch argument.lowercased() {
        case "fashion-mnist", "fashion_mnist", "fashionmnist": self = .fashionMNIST
        case "mnist": self = .mnist
        case "cifar10", "cifar-10": self = .cifar10
        default:
            guard argument.lowercased().hasPrefix("imagefolder=") else { return nil }
            let path = String(argument.dropFirst("imagefolder=".count))
            guard !path.isEmpty else { return nil }
            self = .imageFolder(path)
        }
    }

    public var description: String {
        switch self {
        case .fashionMNIST: return "fashion-mnist"
        case .mnist: return "mnist"
        case .cifar10: return "cifar10"
        case .imageFolder(let p): return "imagefolder=\(p)"
        }
    }

    /// The name of the dataset's sub-folder under `$EMBER_DATA_DIR` or `Data/`.
    var folderName: String {
        switch self {
        case .fashionMNIST: return "fashion-mnist"
        case .mnist: return "mnist"
        case .cifar10: return "cifar-10-batches-bin"
        case .imageFolder(let p): return p
        }
    }

    /// The file whose presence marks the dataset's folder.
    var markerFile: String {
        switch self {
        case .fashionMNIST, .mnist: return "t10k-images-idx3-ubyte.gz"
        case .cifar10: return "test_batch.bin"
        case .imageFolder: return "train"
        }
    }

    /// Channels of the stored images (image folders are converted to RGB, as torchvision does).
    var channels: Int { self == .fashionMNIST || self == .mnist ? 1 : 3 }

    /// The height and width of the dataset's images (nil: they vary, as in an image folder).
    var nominalSize: Int? {
        switch self {
        case .fashionMNIST, .mnist: return 28
        case .cifar10: return 32
        case .imageFolder: return nil
        }
    }

    /// The folder to read: `explicit` if given, else `$EMBER_DATA_DIR/<name>` or the bundled `Data/<name>`,
    /// else `data/<name>` (where a download would go).
    public func folder(explicit: String?) -> String {
        if let e = explicit { return e }
        if case .imageFolder(let p) = self { return p }
        for name in [folderName] + (self == .cifar10 ? ["cifar10", "cifar-10-batches-bin-subset"] : []) {
            if let found = BundledData.folder(for: name, containing: markerFile) { return found }
        }
        return "data/" + folderName
    }
}

/// The train and test splits of a dataset, preprocessed for a model, with the class names.
public struct TrainingData {
    public private(set) var train: AnyDataset<(Tensor, Int)>
    public let test: AnyDataset<(Tensor, Int)>
    public let classes: [String]
    /// Where the training images came from (for messages).
    public let source: String
    /// The preprocessing applied to every image, in order (also what `ember predict` applies).
    public let preprocessing: Preprocessing

    /// Loads `choice` from `folder` and prepares its images as `preprocessing` says; `model` names the model in
    /// messages.
    ///
    /// - Parameters:
    ///   - choice: The dataset.
    ///   - folder: The folder that holds it.
    ///   - preprocessing: What is done to each image.
    ///   - model: The model's name, for messages.
    ///   - limit: Use only the first this many images of each split (nil: all).
    public init(_ choice: DatasetChoice, folder: String, preprocessing: Preprocessing, model: String, limit: Int? = nil) throws {
        self.preprocessing = preprocessing
        let transform = preprocessing.transform(storedChannels: choice.channels)
        switch choice {
        case .fashionMNIST:
            let tr = try FashionMNIST(root: folder, train: true, transform: transform)
            let te = try FashionMNIST(root: folder, train: false, transform: transform)
            try preprocessing.checkStored(hw: Array(tr.data.shape.dropFirst()), file: (folder as NSString).appendingPathComponent("train-images-idx3-ubyte.gz"), model: model)
            (train, test, classes) = (AnyDataset(tr), AnyDataset(te), FashionMNIST.textLabelNames)
        case .mnist:
            // Downloaded on first use from torchvision's mirrors (checksummed, written atomically).
            let tr = try MNIST(root: folder, train: true, transform: transform, download: true)
            let te = try MNIST(root: folder, train: false, transform: transform, download: true)
            try preprocessing.checkStored(hw: Array(tr.data.shape.dropFirst()), file: (folder as NSString).appendingPathComponent("train-images-idx3-ubyte.gz"), model: model)
            (train, test, classes) = (AnyDataset(tr), AnyDataset(te), (0...9).map(String.init))
        case .cifar10:
            // Downloaded on first use; a folder holding some of the batches (a subset) is used as it is.
            let fm = FileManager.default
            let present = [folder, (folder as NSString).appendingPathComponent("cifar-10-batches-bin")].contains { d in
                ((1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]).contains { fm.fileExists(atPath: (d as NSString).appendingPathComponent($0)) }
            }
            let tr = try CIFAR10(root: folder, train: true, transform: transform, download: !present)
            let te = try CIFAR10(root: folder, train: false, transform: transform, download: !present)
            try preprocessing.checkStored(hw: Array(tr.data.shape.dropFirst().prefix(2)), file: folder, model: model)
            (train, test, classes) = (AnyDataset(tr), AnyDataset(te), tr.classes)
        case .imageFolder:
            let tr = try ImageFolder(root: (folder as NSString).appendingPathComponent("train"), transform: transform)
            let valRoot = ["val", "test"].map { (folder as NSString).appendingPathComponent($0) }
                .first { FileManager.default.fileExists(atPath: $0) } ?? (folder as NSString).appendingPathComponent("val")
            let te = try ImageFolder(root: valRoot, transform: transform)
            (train, test, classes) = (AnyDataset(tr), AnyDataset(te), tr.classes)
        }
        source = folder
        if let n = limit { train = AnyDataset(Subset(train, indices: Array(0..<Swift.min(n, train.count)))) }
    }
}

/// What is done to an image before the model sees it: channels, size, `ToTensor`, normalisation.
public struct Preprocessing: Equatable {
    /// `[C, H, W]` the model takes.
    public var inputShape: [Int]
    /// Resize every image to the model's height and width (the notes' `resize=` argument); without it the
    /// stored images must already have that size.
    public var resize: Bool
    /// Per-channel mean and std for `Normalize` (nil: none, as the notes do for Fashion-MNIST).
    public var mean: [Double]?
    public var std: [Double]?

    /// The preprocessing for a model's input.
    ///
    /// - Parameters:
    ///   - inputShape: The model's input `[C, H, W]`.
    ///   - resize: Resize images to the input size (else they must have it).
    ///   - mean: The per-channel mean to subtract after `ToTensor` (nil: none).
    ///   - std: The per-channel standard deviation to divide by.
    public init(inputShape: [Int], resize: Bool, mean: [Double]? = nil, std: [Double]? = nil) {
        self.inputShape = inputShape
        self.resize = resize
        self.mean = mean
        self.std = std
    }

    /// The transform for images stored with `storedChannels` channels: gray or RGB as the model takes, the
    /// resize, `ToTensor`, `Normalize`. Just `ToTensor` when nothing else is needed (the datasets' fast path).
    public func transform(storedChannels: Int) -> any Transform {
        var steps: [any Transform] = []
        let c = inputShape[0]
        if storedChannels != c { steps.append(Grayscale(numOutputChannels: c == 1 ? 1 : 3)) }
        if resize { steps.append(Resize((inputShape[1], inputShape[2]))) }
        steps.append(ToTensor())
        if let m = mean, let s = std { steps.append(Normalize(mean: m, std: s)) }
        return steps.count == 1 ? ToTensor() : Compose(steps)
    }

    /// Without a resize, stored images of another size than the model takes are an error naming the file.
    func checkStored(hw: [Int], file: String, model: String) throws {
        guard !resize, hw != Array(inputShape.dropFirst()) else { return }
        throw TrainingError.unsuitableImages(file: file, found: [inputShape[0]] + hw, model: model, expected: inputShape)
    }
}
