// `ember train`, `inspect` and `convert` as a user runs them: values from the command line and from files end
// in a sentence and an exit status, never a trap (issue 11, items 4, 6–8).
import Foundation
import Testing
import EmberKit
import _EmberTestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite("ember CLI", .serialized)
struct TrainCommandTests {
    /// Option values that cannot work: usage errors (exit 64) naming the option, with the usage line.
    @Test(arguments: [
        (["--epochs=-1"], "--epochs must be at least 1"), (["--epochs", "0"], "--epochs must be at least 1"),
        (["--limit=-3"], "--limit must be at least 1"), (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--batch-size=-5"], "--batch-size must be at least 1"), (["--lr", "nan"], "--lr must be a positive finite number"),
        (["--lr=-1"], "--lr must be a positive finite number"), (["--lr", "inf"], "--lr must be a positive finite number"),
        (["--workers=-1"], "--workers must be from 0 to 256"), (["--out", ""], "--out must name a folder"),
        (["--model", "vgg99"], "unknown model 'vgg99'"), (["--epochs", "ten"], "--epochs"),
    ])
    func badOptionsAreUsageErrors(_ c: ([String], String)) throws {
        let r = try runEmber(["train"] + c.0)
        #expect(r.status == 64, "\(c.0): exit \(r.status), \(r.stderr)")
        #expect(r.stderr.contains(c.1) && r.stderr.contains("Usage: ember train"), "\(c.0): \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Backtrace"))
    }

    @Test func unwritableOutputIsOneSentence() throws {
        let file = try temporaryRunFolder("out").appendingPathComponent("a-file")
        try Data([1]).write(to: file)
        for (out, reason) in [("/proc/no-such-dir/run", "no such file or directory"), (file.path + "/run", "not a directory"),
                              (file.path, "it is a file, not a folder")] {
            let r = try runEmber(["train", "--out", out, "--limit", "8", "--epochs", "1"])
            #expect(r.status == 1)
            #expect(r.stderr.contains("cannot write the output folder '\(out)'") && r.stderr.contains(reason), "\(r.stderr)")
            #expect(!r.stderr.contains("NSCocoaErrorDomain") && !r.stderr.contains("Backtrace"))
        }
    }

    @Test func trainRefusesImagesOfTheWrongSize() throws {
        let data = try temporaryRunFolder("data"), out = try temporaryRunFolder("out")
        defer { for d in [data, out] { try? FileManager.default.removeItem(at: d) } }
        try writeFashionMNIST(to: data, train: 4, test: 4, side: 32)
        let r = try runEmber(["train", "--data", data.path, "--out", out.path, "--epochs", "1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("train-images-idx3-ubyte.gz holds 1×32×32 images, but lenet takes 1×28×28"), "\(r.stderr)")
    }

    @Test func divergingRunAndResumeMessages() throws {
        let data = try temporaryRunFolder("data"), out = try temporaryRunFolder("out")
        defer { for d in [data, out] { try? FileManager.default.removeItem(at: d) } }
        try writeFashionMNIST(to: data, train: 64, test: 16)
        let nan = try runEmber(["train", "--data", data.path, "--out", out.path, "--epochs", "2", "--lr", "1e38", "--batch-size", "16"])
        #expect(nan.status == 1)
        #expect(nan.stderr.contains("loss became") && nan.stderr.contains("at epoch 1, step") && nan.stderr.contains("try a smaller --lr"), "\(nan.stderr)")

        let ok = try runEmber(["train", "--data", data.path, "--out", out.path, "--epochs", "1", "--batch-size", "16"])
        #expect(ok.status == 0, "\(ok.stderr)")
        // Fewer epochs than the checkpoint has: nothing to do; asking for less is an error that says what to pass.
        let same = try runEmber(["train", "--data", data.path, "--out", out.path, "--epochs", "1", "--resume"])
        #expect(same.status == 0 && same.stdout.contains("nothing to train"), "\(same.stdout) \(same.stderr)")
        let ckpt = out.appendingPathComponent("checkpoint.pt")
        var v = try loadCheckpoint(from: ckpt)
        if case .dict(var d) = v { d["epoch"] = .string("3"); v = .dict(d) }
        try saveCheckpoint(v, to: ckpt)
        let bad = try runEmber(["train", "--data", data.path, "--out", out.path, "--epochs", "4", "--resume"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("checkpoint field 'epoch' is a str ('3'), not a whole number"), "\(bad.stderr)")
        #expect(!bad.stderr.contains("Backtrace"))
    }

    @Test func inspectRefusesAFifoAtOnce() throws {
        let dir = try temporaryRunFolder("fifo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("model.pt").path
        #expect(mkfifo(path, 0o600) == 0)
        let r = try runEmber(["inspect", path], timeout: 30)
        #expect(r.status == 1)
        #expect(r.stderr.contains("model.pt") && r.stderr.contains("FIFO"), "\(r.stderr)")
    }
}

@Suite("ember CLI, zoo", .serialized)
struct ZooCommandTests {
    @Test(arguments: [
        (["--dataset", "imagenet"], "unknown dataset 'imagenet'"), (["--model", "lenet6"], "unknown model 'lenet6'"),
        (["--weights", "w.pt"], "--weights loads torchvision's state dicts"), (["--freeze-features"], "--freeze-features needs --weights"),
        (["--device", "cuda"], "this build of Ember has no CUDA backend"), (["--optimizer", "lbfgs"], "unknown optimizer 'lbfgs'"),
        (["--scheduler", "exp"], "unknown scheduler 'exp'"), (["--resize", "3"], "--resize must be from 8 to 1024"),
    ])
    func badChoicesAreUsageErrors(_ c: ([String], String)) throws {
        let r = try runEmber(["train"] + c.0)
        #expect(r.status == 64 && r.stderr.contains(c.1), "\(c.0): exit \(r.status), \(r.stderr)")
    }

    @Test func missingWeightsFileIsOneSentence() throws {
        let r = try runEmber(["train", "--model", "torchvision_resnet18", "--dataset", "imagefolder=/nonexistent", "--weights", "/nonexistent/w.pt"])
        #expect(r.status == 1 && !r.stderr.contains("Backtrace"), "\(r.stderr)")
    }

    /// The README's main command on the bundled data, cut short: trains, checkpoints, and eval reads it back.
    @Test func mainCommandRunsOnTheBundledData() throws {
        let out = try temporaryRunFolder("main")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try runEmber(["train", "--limit", "64", "--epochs", "1", "--batch-size", "64", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        for file in ["checkpoint.pt", "model.safetensors", "curves.svg", "curves.png", "tensorboard"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        let e = try runEmber(["eval", "--checkpoint", out.appendingPathComponent("checkpoint.pt").path])
        #expect(e.status == 0 && e.stdout.contains("of 10000 fashion-mnist test images") && e.stdout.contains("ankle b"), "\(e.stdout) \(e.stderr)")
        let img = out.appendingPathComponent("shirt.png")
        try Image(width: 28, height: 28, mode: .gray, fill: 128).writePNG(to: img.path)
        let p = try runEmber(["predict", "--checkpoint", out.appendingPathComponent("checkpoint.pt").path, "--grid",
                              out.appendingPathComponent("grid.png").path, img.path])
        #expect(p.status == 0 && p.stdout.split(separator: "\n").filter { $0.contains("%") }.count == 5, "\(p.stdout) \(p.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("grid.png").path))
    }
}
