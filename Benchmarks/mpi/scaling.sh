#!/bin/sh
# Data-parallel scaling on this machine: samples/s of the whole job for 1 rank × 1 thread, 2 ranks × 1 thread
# (DistributedDataParallel, overlapped bucketed all-reduce), 2 ranks × 1 thread that never communicate (each trains
# its own model: the ceiling that two processes sharing this machine's cores, caches and memory can reach, so the
# gap between it and DDP is what communication costs) and 1 rank × 2 threads, for the LeNet and ResNet-18
# training steps, in alternating rounds (so that a slow spell of a shared machine hits every configuration), then
# each configuration's samples/s relative to 1 × 1 of the same round, and the median ratio over the rounds.
#
#   swift build -c release --product ember-mpi-check
#   Benchmarks/mpi/scaling.sh [rounds] [steps]        # defaults: 3 rounds, 20 LeNet / 8 ResNet-18 steps
#   LENET_BATCH=256 RESNET_BATCH=64 Benchmarks/mpi/scaling.sh    # per-rank batches (defaults 128 and 32)
#   Benchmarks/priority.sh Benchmarks/mpi/scaling.sh 5          # on a shared machine: above the other processes
#
# The 1-rank configurations train without DistributedDataParallel (`bench-train … local`); 1 × 2 is not bound to
# a core (`--bind-to none`) so that its two threads can use both. Extra mpirun options for the 2-rank runs (e.g.
# `--bind-to none`, `--mca btl_vader_single_copy_mechanism none`) go in MPIRUN_OPTIONS.
set -eu
cd "$(dirname "$0")/../.."
check=.build/release/ember-mpi-check
[ -x "$check" ] || { echo "build it first: swift build -c release --product ember-mpi-check" >&2; exit 64; }
rounds=${1:-3}
steps=${2:-}
mpirun="mpirun --allow-run-as-root --oversubscribe"
out=$(mktemp); trap 'rm -f "$out"' EXIT

# run <label> <model> <batch> <steps> <ranks> <threads> <mode> [mpirun options]: appends "<label> <samples/s>" to $out.
run() {
    label=$1 model=$2 batch=$3 n=$4 ranks=$5 threads=$6 mode=$7; shift 7
    line=$($mpirun "$@" -np "$ranks" -x EMBER_NUM_THREADS="$threads" "$check" bench-train "$model" "$batch" "$n" "$mode" | grep '^bench-train')
    echo "  $label: $line"
    echo "$label $(echo "$line" | sed -n 's/.*: \([0-9.]*\) samples\/s.*/\1/p')" >> "$out"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ "$r" -le "$rounds" ]; do
    echo "round $r"
    for spec in "lenet ${LENET_BATCH:-128} ${steps:-20}" "resnet18 ${RESNET_BATCH:-32} ${steps:-8}"; do
        set -- $spec
        run "$1/1x1/$r" "$1" "$2" "$3" 1 1 local
        # shellcheck disable=SC2086
        run "$1/2x1/$r" "$1" "$2" "$3" 2 1 overlap ${MPIRUN_OPTIONS:-}
        run "$1/2x1local/$r" "$1" "$2" "$3" 2 1 local
        run "$1/1x2/$r" "$1" "$2" "$3" 1 2 local --bind-to none
    done
    r=$((r + 1))
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Per round: each configuration over 1 × 1 of the same round; then the median over the rounds.
awk '
{ split($1, k, "/"); v[k[1] "/" k[2] "/" k[3]] = $2; models[k[1]] = 1; rounds[k[3]] = 1 }
function median(a, n,    i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
    printf "\n%-9s %-8s %-44s %s\n", "model", "conf", "samples/s per round", "vs 1x1: per round -> median"
    for (m in models) for (c = 1; c <= 4; c++) {
        conf = c == 1 ? "1x1" : c == 2 ? "2x1" : c == 3 ? "2x1local" : "1x2"
        s = ""; q = ""; n = 0
        for (r = 1; (m "/" conf "/" r) in v; r++) {
            s = s sprintf("%9.1f", v[m "/" conf "/" r])
            ratio = v[m "/" conf "/" r] / v[m "/1x1/" r]
            q = q sprintf(" %.2f", ratio); n++; x[n] = ratio
        }
        printf "%-9s %-8s %-44s%s -> %.2fx\n", m, conf, s, q, median(x, n)
    }
    printf "\nDDP (2x1) as a fraction of the no-communication ceiling (2x1local), per round -> median\n"
    for (m in models) {
        q = ""; n = 0
        for (r = 1; (m "/2x1/" r) in v; r++) {
            ratio = v[m "/2x1/" r] / v[m "/2x1local/" r]
            q = q sprintf(" %.2f", ratio); n++; x[n] = ratio
        }
        printf "%-9s%s -> %.2f\n", m, q, median(x, n)
    }
}' "$out"
