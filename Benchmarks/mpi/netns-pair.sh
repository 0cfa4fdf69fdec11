#!/bin/sh
# A two-host test pair on one machine: network namespaces ember0 (10.99.0.1) and ember1 (10.99.0.2) joined by a
# veth pair shaped to 1 Gbit/s (netem with 0.5 ms delay when the kernel has sch_netem, else tbf at the same rate),
# and Open MPI over TCP between them (the rsh agent below "logs in" by entering the other namespace).
#
#   Benchmarks/mpi/netns-pair.sh setup                 # as root
#   Benchmarks/mpi/netns-pair.sh run <command...>      # mpirun -np 2, one rank per namespace
#   Benchmarks/mpi/netns-pair.sh overlap [rounds] [batch] [image size] [bucket MB] [steps]
#   Benchmarks/mpi/netns-pair.sh teardown
# e.g. Benchmarks/mpi/netns-pair.sh run "$PWD/.build/release/ember-mpi-check" bench-train resnet18 32 5 overlap
#
# `overlap` (after setup; defaults: 2 rounds, ResNet-18 batch 8 per rank at 224×224, 5 MB buckets, 3 steps) times,
# in alternating rounds, the all-reduce of ResNet-18's 44.7 MB alone, a step with the all-reduce after backward and
# a step with it overlapped, and prints the communication hidden two ways: by step time,
# (step after − step overlapped) / all-reduce alone, and by the wait left after backward,
# (wait after − wait overlapped) / all-reduce alone, and as the share of the wait after backward that overlapping
# removes, 1 − wait overlapped / wait after (the all-reduce as DDP runs it, without timing it apart). The wait-based
# ones are those to trust on a busy machine, where step times swing by seconds. Ranks are not bound to cores:
# both "hosts" are this machine.
set -eu
dir="${TMPDIR:-/tmp}/ember-netns"
case "${1:-}" in
setup)
    ip netns add ember0; ip netns add ember1
    ip link add veth-e0 type veth peer name veth-e1
    ip link set veth-e0 netns ember0; ip link set veth-e1 netns ember1
    ip -n ember0 addr add 10.99.0.1/24 dev veth-e0; ip -n ember1 addr add 10.99.0.2/24 dev veth-e1
    for n in 0 1; do
        ip -n ember$n link set veth-e$n up; ip -n ember$n link set lo up
        if ! ip netns exec ember$n tc qdisc add dev veth-e$n root netem rate 1gbit delay 0.5ms 2>/dev/null; then
            echo "note: no netem qdisc in this kernel; shaping veth-e$n with tbf at 1 Gbit/s, no added delay"
            ip netns exec ember$n tc qdisc add dev veth-e$n root tbf rate 1gbit burst 128kb latency 50ms
        fi
    done
    mkdir -p "$dir"
    printf '10.99.0.1 slots=1\n10.99.0.2 slots=1\n' > "$dir/hosts"
    cat > "$dir/agent.sh" <<'AGENT'
#!/bin/sh
# Open MPI rsh agent: "agent <host> <command...>" runs the command in that host's namespace, under its own hostname.
host="$1"; shift
case "$host" in 10.99.0.2) ns=ember1; name=node1 ;; *) ns=ember0; name=node0 ;; esac
exec ip netns exec "$ns" unshare -u sh -c "hostname $name; $*"
AGENT
    chmod +x "$dir/agent.sh"
    ;;
run)
    shift
    # --bind-to none: both "hosts" are this machine, and Open MPI would bind each one's single rank to core 0.
    exec ip netns exec ember0 unshare -u sh -c "hostname node0; mpirun --allow-run-as-root --hostfile $dir/hosts -np 2 \
        --bind-to none --mca plm_rsh_agent $dir/agent.sh --mca btl tcp,self --mca btl_tcp_if_include 10.99.0.0/24 \
        --mca oob_tcp_if_include 10.99.0.0/24 -x EMBER_NUM_THREADS=\${EMBER_NUM_THREADS:-1} $*"
    ;;
overlap)
    rounds=${2:-2} batch=${3:-8} side=${4:-224} cap=${5:-5} steps=${6:-3}
    check="$(cd "$(dirname "$0")/../.." && pwd)/.build/release/ember-mpi-check"
    log=$(mktemp)
    r=1
    while [ "$r" -le "$rounds" ]; do
        echo "round $r, load $(cut -d' ' -f1-3 /proc/loadavg)"
        "$0" run "$check" bench-allreduce 44.7 5 | sed -n 's/^median_s /comm /p' | tee -a "$log"
        for mode in no-overlap overlap; do
            "$0" run "$check" bench-train resnet18 "$batch" "$steps" "$mode" "$cap" "$side" | grep '^bench-train' | tee -a "$log"
        done
        r=$((r + 1))
    done
    awk '
    /^comm / { comm = $2 * 1000 }
    /^bench-train/ {
        match($0, /[0-9.]+ ms\/step, wait after backward [0-9.]+/); split(substr($0, RSTART, RLENGTH), f, " ")
        if ($0 ~ /mode=no-overlap/) { stepA = f[1]; waitA = f[6] } else {
            printf "comm %.0f ms; step %.0f -> %.0f ms, wait %.0f -> %.0f ms: hidden %.0f%% by step, %.0f%% by wait, %.0f%% of the wait\n",
                   comm, stepA, f[1], waitA, f[6], 100 * (stepA - f[1]) / comm, 100 * (waitA - f[6]) / comm, 100 * (1 - f[6] / waitA)
        }
    }' "$log"
    rm -f "$log"
    ;;
teardown)
    ip netns del ember0 2>/dev/null || true; ip netns del ember1 2>/dev/null || true; rm -rf "$dir"
    ;;
*) echo "usage: $0 setup | run <command...> | overlap [rounds] [batch] [image size] [bucket MB] [steps] | teardown" >&2; exit 64 ;;
esac
