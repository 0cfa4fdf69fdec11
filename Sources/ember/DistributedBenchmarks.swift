// allreduce_25mb_2ranks: an in-place 25 MB float32 all-reduce over two local ranks, through EmberDistributed
// (ember-mpi-check under mpirun) and through a plain C MPI program compiled with mpicc (the limit).
import Foundation

func distributedBenchmarks() -> [Benchmark] {
    [
        Benchmark("allreduce_25mb_2ranks", runs: 20, skipReason: { mpiBenchSkipReason(needs: "ember-mpi-check") }) { runs in
            guard let check = siblingExecutable("ember-mpi-check") else { return nil }
            return medianFromMPIRun([check, "bench-allreduce", "25", String(runs)])
        },
        Benchmark("allreduce_25mb_2ranks_c_limit", runs: 20, skipReason: { mpiBenchSkipReason(needs: "mpicc") }) { runs in
            guard let exe = compileAllReduceLimit() else { return nil }
            return medianFromMPIRun([exe, "25", String(runs)])
        },
    ]
}

private func findOnPath(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}

/// An executable built next to this one (SwiftPM puts every product in one directory).
private func siblingExecutable(_ name: String) -> String? {
    let dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    let p = dir.appendingPathComponent(name).path
    return FileManager.default.isExecutableFile(atPath: p) ? p : nil
}

private func mpiBenchSkipReason(needs tool: String) -> String? {
    if findOnPath("mpirun") == nil { return "mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)" }
    if tool == "mpicc" { return findOnPath("mpicc") == nil ? "mpicc is not installed (libopenmpi-dev)" : nil }
    return siblingExecutable(tool) == nil ? "\(tool) was not built next to ember (swift build -c release)" : nil
}

/// Runs `mpirun -np 2 command…` and reads the median seconds from the last line of its output that is a
/// number or ends with `median_s <number>`.
private func medianFromMPIRun(_ command: [String]) -> Double? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: findOnPath("mpirun") ?? "/usr/bin/mpirun")
    process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "2"] + command
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return nil }
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        FileHandle.standardError.write(Data("mpirun \(command.joined(separator: " ")) failed:\n\(text)\n".utf8))
        return nil
    }
    for line in text.split(separator: "\n").reversed() {
        if let v = Double(line.trimmingCharacters(in: .whitespaces)) { return v }
        if let r = line.range(of: "median_s ") { return Double(line[r.upperBound...].trimmingCharacters(in: .whitespaces)) }
    }
    return nil
}

/// Compiles the C reference with mpicc into the temporary directory (once per process).
private func compileAllReduceLimit() -> String? {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-allreduce-limit-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let source = dir.appendingPathComponent("allreduce_limit.c"), exe = dir.appendingPathComponent("allreduce_limit")
    guard (try? allReduceLimitSource.write(to: source, atomically: true, encoding: .utf8)) != nil else { return nil }
    let cc = Process()
    cc.executableURL = URL(fileURLWithPath: findOnPath("mpicc") ?? "/usr/bin/mpicc")
    cc.arguments = ["-O2", source.path, "-o", exe.path]
    do { try cc.run() } catch { return nil }
    cc.waitUntilExit()
    return cc.terminationStatus == 0 ? exe.path : nil
}

private let allReduceLimitSource = #"""
/* The limit for `ember bench`'s allreduce_25mb_2ranks: the same in-place float32 MPI_Allreduce from plain C.
 *   mpicc -O2 allreduce_limit.c -o allreduce_limit
 *   mpirun --allow-run-as-root --oversubscribe -np 2 ./allreduce_limit [megabytes] [runs]
 * Prints the median seconds of `runs` all-reduces (each after a barrier) on rank 0. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    double mb = argc > 1 ? atof(argv[1]) : 25;
    int runs = argc > 2 ? atoi(argv[2]) : 20;
    int n = (int)(mb * 1e6 / 4);
    float *buf = malloc((size_t)n * sizeof(float));
    for (int i = 0; i < n; i++) buf[i] = 1.0f;
    double *t = malloc((size_t)runs * sizeof(double));
    MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    for (int r = 0; r < runs; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        t[r] = MPI_Wtime() - t0;
    }
    qsort(t, (size_t)runs, sizeof(double), cmp);
    if (rank == 0) printf("%.9f\n", t[runs / 2]);
    free(t);
    free(buf);
    MPI_Finalize();
    return 0;
}
"""#
