// Downloads against a server on 127.0.0.1 started by each test: good, redirected, missing (404), truncated and
// corrupt files, unreachable mirrors, partially present folders; MNIST and CIFAR-10 wiring.
import Testing
import Foundation
import Ember
import EmberData
@testable import EmberVision

@Suite struct DatasetDownloadTests {
    static let idxNames = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]

    /// The four synthetic IDX files (train: 5 items, test: 3 items) and resources carrying their MD5s.
    static func idxFiles() throws -> (files: [String: Data], resources: [DownloadableFile]) {
        let train = try syntheticIDX(count: 5, seed: 1), test = try syntheticIDX(count: 3, seed: 4)
        let files = Dictionary(uniqueKeysWithValues: zip(idxNames, [train.images, train.labels, test.images, test.labels]))
        return (files, idxNames.map { DownloadableFile($0, md5: MD5.hex(files[$0]!)) })
    }

    @Test func goodFilesAfterA404AndARedirect() throws {
        let (files, resources) = try Self.idxFiles()
        var routes: [String: LoopbackHTTPServer.Route] = [:]
        for (name, data) in files {
            routes["/moved/\(name)"] = .redirect("/mnist/\(name)")
            routes["/mnist/\(name)"] = .file(data)
        }
        let server = try LoopbackHTTPServer(routes: routes)
        defer { server.stop() }
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try downloadIDXFiles(root: root.path, folder: "MNIST", train: false, resources: resources,
                             mirrors: [server.base + "missing/", server.base + "moved"])
        // Each file: the first mirror answers 404, the second redirects to where the file is.
        #expect(server.requests == Self.idxNames.flatMap { ["/missing/\($0)", "/moved/\($0)", "/mnist/\($0)"] })
        let raw = root.appendingPathComponent("MNIST/raw").path
        #expect(folderContents(raw) == Self.idxNames.sorted())
        let test = try MNIST(root: root.path, train: false)
        #expect(test.count == 3 && test.labels == [4, 5, 6])
        #expect(try MNIST(root: root.path, train: true, download: true, mirrors: [server.base]).labels == [1, 2, 3, 4, 5])
        // Present files are not fetched again.
        #expect(server.requests.count == 12)
    }

    @Test func corruptAndTruncatedFilesLeaveNothing() throws {
        let (files, resources) = try Self.idxFiles()
        let good = files["train-images-idx3-ubyte.gz"]!, half = good.count / 2
        var corrupt = good
        corrupt[corrupt.count / 2] ^= 0xFF
        let server = try LoopbackHTTPServer(routes: [
            "/corrupt/train-images-idx3-ubyte.gz": .file(corrupt),
            "/short/train-images-idx3-ubyte.gz": .file(good.prefix(half)),
            "/cut/train-images-idx3-ubyte.gz": .truncated(good, sent: half),
        ])
        defer { server.stop() }
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let raw = root.appendingPathComponent("MNIST/raw").path
        let expected = resources[0].md5
        for (mirror, reason) in [("corrupt", "the \(good.count) bytes received have MD5 \(MD5.hex(corrupt)), expected \(expected)"),
                                 ("short", "the \(half) bytes received have MD5 \(MD5.hex(good.prefix(half))), expected \(expected)"),
                                 ("cut", "after \(half) of \(good.count) bytes")] {
            let address = server.base + mirror + "/train-images-idx3-ubyte.gz"
            #expect {
                try downloadIDXFiles(root: root.path, folder: "MNIST", train: true, resources: resources, mirrors: [server.base + mirror + "/"])
            } throws: { error in
                let text = "\(error)"
                return text.hasPrefix("could not download train-images-idx3-ubyte.gz (\(address): ") && text.contains(reason)
                    && text.hasSuffix("put train-images-idx3-ubyte.gz into \(raw) by hand")
            }
            // Nothing under the final name, no temporary file either.
            #expect(folderContents(raw) == [], "\(mirror)")
        }
    }

    @Test func everyMirrorFailing() throws {
        let server = try LoopbackHTTPServer(routes: [:])
        defer { server.stop() }
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let unreachable = "http://127.0.0.1:\(LoopbackHTTPServer.closedPort())/"
        let error = #expect(throws: DataError.self) {
            try MNIST(root: root.path, train: false, download: true, mirrors: [server.base + "mnist/", unreachable, "ftp://example.org/"])
        }
        guard case let .downloadFailed(name, folder, failures)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(name == "train-images-idx3-ubyte.gz" && folder == root.appendingPathComponent("MNIST/raw").path)
        #expect(failures.count == 3)
        #expect(failures[0].hasPrefix(server.base + "mnist/train-images-idx3-ubyte.gz: HTTP 404"))
        #expect(failures[1].hasPrefix(unreachable + "train-images-idx3-ubyte.gz: "))
        #expect(failures[2] == "ftp://example.org/train-images-idx3-ubyte.gz is not an http or https address")
        let text = error!.description
        #expect(text.hasPrefix("could not download train-images-idx3-ubyte.gz (" + server.base + "mnist/train-images-idx3-ubyte.gz: HTTP 404"))
        #expect(text.contains("; \(unreachable)train-images-idx3-ubyte.gz: "))
        #expect(text.hasSuffix("); put train-images-idx3-ubyte.gz into \(folder) by hand"))
        #expect(folderContents(folder) == [])
    }

    @Test func partiallyPresentFolder() throws {
        let (files, resources) = try Self.idxFiles()
        var routes: [String: LoopbackHTTPServer.Route] = [:]
        for (name, data) in files { routes["/\(name)"] = .file(data) }
        let server = try LoopbackHTTPServer(routes: routes)
        defer { server.stop() }
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let raw = root.appendingPathComponent("MNIST/raw")
        try FileManager.default.createDirectory(at: raw, withIntermediateDirectories: true)
        // The training pair is there (images unpacked, as torchvision leaves them); the test labels are damaged.
        try gunzip(files["train-images-idx3-ubyte.gz"]!).write(to: raw.appendingPathComponent("train-images-idx3-ubyte"))
        try files["train-labels-idx1-ubyte.gz"]!.write(to: raw.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        try Data("damaged".utf8).write(to: raw.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        // The training split is complete: nothing is fetched.
        try downloadIDXFiles(root: root.path, folder: "MNIST", train: true, resources: resources, mirrors: [server.base])
        #expect(server.requests == [])
        #expect(try MNIST(root: root.path, train: true).labels == [1, 2, 3, 4, 5])
        // The test split: only the missing and the damaged file are fetched.
        try downloadIDXFiles(root: root.path, folder: "MNIST", train: false, resources: resources, mirrors: [server.base])
        #expect(server.requests == ["/t10k-images-idx3-ubyte.gz", "/t10k-labels-idx1-ubyte.gz"])
        #expect(try MNIST(root: root.path, train: false).labels == [4, 5, 6])
        #expect(folderContents(raw.path) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte", "train-labels-idx1-ubyte.gz"])
    }

    @Test func publicInitializersUseTorchvisionNamesAndChecksums() throws {
        let (files, _) = try Self.idxFiles()
        let server = try LoopbackHTTPServer(routes: [
            "/train-images-idx3-ubyte.gz": .file(files["train-images-idx3-ubyte.gz"]!),
            "/cifar-10-binary.tar.gz": .file(try syntheticCIFARArchive()),
        ])
        defer { server.stop() }
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        // The synthetic files are not the real ones: torchvision's MD5 rejects them, which shows what was asked for.
        #expect { try MNIST(root: root.path, download: true, mirrors: [server.base]) } throws: {
            "\($0)".contains("expected f68b3c2dcbeaaa9fbdd348bbdeb94873") && "\($0)".contains(root.appendingPathComponent("MNIST/raw").path + " by hand")
        }
        #expect { try FashionMNIST(root: root.path, download: true, mirrors: [server.base]) } throws: {
            "\($0)".contains("expected 8d4fb7e6c68d591d4c3dfef9ec88bf0d") && "\($0)".contains(root.appendingPathComponent("FashionMNIST/raw").path + " by hand")
        }
        #expect { try CIFAR10(root: root.path, train: false, download: true, mirrors: [server.base]) } throws: {
            "\($0)".contains(server.base + "cifar-10-binary.tar.gz: ") && "\($0)".contains("expected c32a1d4ab5d03f1284b67883e8d87530")
                && "\($0)".hasSuffix("put cifar-10-binary.tar.gz into \(root.path) by hand")
        }
        #expect(server.requests == ["/train-images-idx3-ubyte.gz", "/train-images-idx3-ubyte.gz", "/cifar-10-binary.tar.gz"])
        #expect(folderContents(root.path) == ["FashionMNIST", "MNIST"])
        // Without download, nothing is fetched and the error is the usual one.
        #expect(throws: DataError.self) { try MNIST(root: root.path, mirrors: [server.base]) }
        #expect(server.requests.count == 3)
    }

    /// The public initializer end to end with torchvision's real MD5s: the bundled Fashion-MNIST files served over
    /// the loopback address stand in for Zalando's mirror.
    @Test func fashionMNISTThroughThePublicInitializer() throws {
        let bundled = try #require(BundledData.directory).appendingPathComponent("fashion-mnist")
        var routes: [String: LoopbackHTTPServer.Route] = [:]
        for file in FashionMNIST.resources {
            routes["/fashion/\(file.name)"] = .file(try Data(contentsOf: bundled.appendingPathComponent(file.name)))
        }
        let server = try LoopbackHTTPServer(routes: routes)
        defer { server.stop() }
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let test = try FashionMNIST(root: root.path, train: false, download: true, mirrors: [server.base + "fashion/"])
        #expect(test.count == 10_000 && test.labels.prefix(3) == [9, 2, 1])
        #expect(folderContents(root.appendingPathComponent("FashionMNIST/raw").path) == Self.idxNames.sorted())
        #expect(Set(server.requests) == Set(Self.idxNames.map { "/fashion/\($0)" }) && server.requests.count == 4)
    }

    @Test func cifar10ArchiveDownloadedAndUnpacked() throws {
        let archive = try syntheticCIFARArchive()
        let file = DownloadableFile("cifar-10-binary.tar.gz", md5: MD5.hex(archive))
        let server = try LoopbackHTTPServer(routes: ["/kriz/cifar-10-binary.tar.gz": .redirect("/files/cifar-10-binary.tar.gz"),
                                                     "/files/cifar-10-binary.tar.gz": .file(archive)])
        defer { server.stop() }
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = (1...5).map { "data_batch_\($0).bin" }
        try downloadCIFAR10Files(root: root.path, names: train, mirrors: [server.base + "kriz/"], archive: file)
        #expect(server.requests == ["/kriz/cifar-10-binary.tar.gz", "/files/cifar-10-binary.tar.gz"])
        #expect(folderContents(root.path) == ["cifar-10-batches-bin", "cifar-10-binary.tar.gz"])
        let set = try CIFAR10(root: root.path, train: true)
        #expect(set.count == 10 && set.targets == [2, 3, 4, 5, 6, 7, 8, 9, 0, 1] && set.classes == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"])
        #expect(try CIFAR10(root: root.path, train: false).targets == [5, 6, 7])
        // A batch lost after unpacking: the archive is intact, so it is unpacked again without a request.
        try FileManager.default.removeItem(atPath: root.appendingPathComponent("cifar-10-batches-bin/data_batch_3.bin").path)
        try downloadCIFAR10Files(root: root.path, names: train, mirrors: [server.base + "kriz/"], archive: file)
        #expect(server.requests.count == 2)
        #expect(try CIFAR10(root: root.path, train: true).count == 10)
    }

    @Test func cifar10ArchiveWithUnsafeMemberWritesNothing() throws {
        let archive = try syntheticCIFARArchive(extra: [("../escaped.bin", "0", Data("x".utf8))])
        let file = DownloadableFile("cifar-10-binary.tar.gz", md5: MD5.hex(archive))
        let server = try LoopbackHTTPServer(routes: ["/cifar-10-binary.tar.gz": .file(archive)])
        defer { server.stop() }
        let parent = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = parent.appendingPathComponent("data").path
        #expect {
            try downloadCIFAR10Files(root: root, names: ["test_batch.bin"], mirrors: [server.base], archive: file)
        } throws: { "\($0)".contains("tar member \"../escaped.bin\" would be written outside the folder") }
        #expect(folderContents(parent.path) == ["data"])
        #expect(folderContents(root) == ["cifar-10-binary.tar.gz"])
    }
}

