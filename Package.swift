// swift-tools-version:6.1
// Ember: a deep-learning framework for Swift on Linux with PyTorch's semantics.
// Layers (bottom to top): CEmberKernels/EmberKernels -> Ember (core) -> EmberNN -> EmberOptim,
// EmberData -> EmberText, EmberDistributed (+ CMPI, Open MPI loaded at run time), EmberVision, EmberBoard, EmberIO -> EmberTrain
// (`ember train --distributed` uses EmberDistributed) -> EmberKit (umbrella) -> ember (CLI).
import PackageDescription

// The Swift 6 language mode (complete concurrency checking) for the targets that compile cleanly in it; the rest
// stay in Swift 5 mode (package default below) for the reasons docs/ARCHITECTURE.md lists.
let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Ember",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "EmberKit", targets: ["EmberKit"]),
        .library(name: "Ember", targets: ["Ember"]),
        .executable(name: "ember", targets: ["ember"]),
        .executable(name: "ember-examples", targets: ["ember-examples"]),
        .library(name: "EmberDistributed", targets: ["EmberDistributed"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target EmberKit` (.ci/docs); adds no code to any target.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Kernels: raw loops over pointers; C SIMD microkernels picked at run time by CPU features.
        .target(name: "CEmberKernels"),
        .target(name: "EmberKernels", dependencies: ["CEmberKernels"], swiftSettings: swift6),
        // Core: Tensor, dtypes, storage, ops with their backward, autograd, random.
        .target(name: "Ember", dependencies: ["EmberKernels"], swiftSettings: swift6),
        .target(name: "EmberNN", dependencies: ["Ember"], swiftSettings: swift6),
        .target(name: "EmberOptim", dependencies: ["Ember"], swiftSettings: swift6),
        .target(name: "EmberData", dependencies: ["Ember"]),
        // Text: d2l's corpus/vocabulary/sequence batches, the notes' BPE, GPT-2 byte-level BPE.
        .target(name: "EmberText", dependencies: ["Ember", "EmberData"], swiftSettings: swift6),
        // C shim over libpng/libjpeg-turbo (their errors longjmp, which Swift cannot cross).
        .target(name: "CEmberImage", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg"), .linkedLibrary("z")]),
        .target(name: "EmberVision", dependencies: ["Ember", "EmberNN", "EmberData", "CEmberImage"], swiftSettings: swift6),
        .target(name: "EmberBoard", dependencies: ["Ember", "EmberNN", "CEmberImage"], swiftSettings: swift6),
        .target(name: "EmberIO", dependencies: ["Ember"], swiftSettings: swift6),
        .target(name: "EmberTrain", dependencies: ["Ember", "EmberNN", "EmberOptim", "EmberData", "EmberText", "EmberVision", "EmberBoard", "EmberIO", "EmberDistributed", "CEmberImage"]),
        // Distributed data parallelism over Open MPI, which CMPI loads at run time (dlopen): no build-time
        // dependency on MPI, so the package builds and tests pass where MPI is absent.
        .target(name: "CMPI", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "EmberDistributed", dependencies: ["Ember", "EmberNN", "EmberData", "CMPI"]),
        // Runs the distributed scenarios by name under `mpirun` (the tests spawn it).
        .executableTarget(name: "ember-mpi-check", dependencies: ["EmberDistributed", "EmberNN", "EmberOptim", "EmberData", "EmberVision"]),
        .target(name: "EmberKit", dependencies: ["Ember", "EmberNN", "EmberOptim", "EmberData", "EmberText", "EmberVision", "EmberBoard", "EmberIO", "EmberTrain"], swiftSettings: swift6),
        .executableTarget(name: "ember", dependencies: ["EmberKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The notes' examples, one readable file each, run by `swift run ember-examples <name>`.
        .executableTarget(name: "ember-examples", dependencies: ["EmberKit"], path: "Examples"),
        .target(name: "_EmberTestSupport", dependencies: ["Ember", "EmberNN"], swiftSettings: swift6),

        .testTarget(name: "EmberKernelsTests", dependencies: ["EmberKernels", "CEmberKernels"]),
        .testTarget(name: "EmberTests", dependencies: ["Ember", "EmberKernels", "_EmberTestSupport"]),
        .testTarget(name: "EmberNNTests", dependencies: ["EmberNN", "_EmberTestSupport"]),
        .testTarget(name: "EmberOptimTests", dependencies: ["EmberOptim", "EmberNN", "_EmberTestSupport"]),
        .testTarget(name: "EmberDataTests", dependencies: ["EmberData", "_EmberTestSupport"]),
        .testTarget(name: "EmberTextTests", dependencies: ["EmberText", "_EmberTestSupport"]),
        .testTarget(name: "EmberVisionTests", dependencies: ["EmberVision", "_EmberTestSupport"]),
        .testTarget(name: "EmberBoardTests", dependencies: ["EmberBoard", "_EmberTestSupport"]),
        .testTarget(name: "EmberIOTests", dependencies: ["EmberIO", "EmberNN", "_EmberTestSupport"]),
        // Depends on `ember` so that the CLI tests find the executable built beside the test bundle.
        .testTarget(name: "EndToEndTests", dependencies: ["EmberKit", "EmberDistributed", "ember", "_EmberTestSupport"]),
        // Depends on `ember-mpi-check` so that the tests find it beside the test bundle.
        .testTarget(name: "EmberDistributedTests", dependencies: ["EmberDistributed", "ember-mpi-check", "_EmberTestSupport"]),
        .testTarget(name: "ExampleTests", dependencies: ["ember-examples", "EmberKit", "_EmberTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
