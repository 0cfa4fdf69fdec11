#!/bin/sh
# A two-host test pair on one machine: network namespaces ember0 (10.99.0.1) and ember1 (10.99.0.2) joined by a
# veth pair shaped to 1 Gbit/s (netem with 0.5 ms delay when the kernel has sch_netem, else tbf at the same rate),
# and Open MPI over TCP between them (the rsh agent below "logs in" by entering the other namespace).
#
#   Benchmarks/mpi/netns-pair.sh setup                 # as root
#   Benchmarks/mpi/netns-pair.sh run <command...>      # mpirun -np 2, one rank per namespace
#   Benchmarks/mpi/netns-pair.sh teardown
# e.g. Benchmarks/mpi/netns-pair.sh run "$PWD/.build/release/ember-mpi-check" bench-train resnet18 32 5 overlap
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
    exec ip netns exec ember0 unshare -u sh -c "hostname node0; mpirun --allow-run-as-root --hostfile $dir/hosts -np 2 \
        --mca plm_rsh_agent $dir/agent.sh --mca btl tcp,self --mca btl_tcp_if_include 10.99.0.0/24 \
        --mca oob_tcp_if_include 10.99.0.0/24 -x EMBER_NUM_THREADS=\${EMBER_NUM_THREADS:-1} $*"
    ;;
teardown)
    ip netns del ember0 2>/dev/null || true; ip netns del ember1 2>/dev/null || true; rm -rf "$dir"
    ;;
*) echo "usage: $0 setup | run <command...> | teardown" >&2; exit 64 ;;
esac
