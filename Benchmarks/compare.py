#!/usr/bin/env python3
"""Runs `ember bench --json` and Benchmarks/torch_reference.py and prints both medians side by side.

    swift build -c release --scratch-path .build-r
    python3 Benchmarks/compare.py .build-r/release/ember --filter train
    python3 Benchmarks/compare.py .build-r/release/ember --filter resnet18 --torchvision-resnet

The ratio column is Ember / PyTorch (below 1: Ember is faster). The two "% limit" columns give each GEMM
row's GFLOP/s as a percentage of Ember's `fma_peak` row and each memory-bound row's GB/s as a percentage of its
`stream_copy` row (both measured by `ember bench` in the same round; PyTorch's percentage uses the same work
count over PyTorch's median). With `--rounds N` the two suites run
alternately N times (Ember, PyTorch, Ember, ...) and each column is the median of the N medians, so a slow
spell of a shared machine does not land on one side only.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def run_json(cmd):
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    # The JSON array is the last line (anything before it is progress output).
    line = [l for l in out.splitlines() if l.strip().startswith("[")][-1]
    return {r["name"]: r for r in json.loads(line)}


def median_of_rounds(rounds):
    """One result per name whose median_s is the median over the rounds that measured it."""
    merged = {}
    for name in rounds[0]:
        medians = [r[name]["median_s"] for r in rounds if name in r]
        merged[name] = dict(rounds[0][name], median_s=statistics.median(medians))
        fractions = [r[name]["fraction_of_limit"] for r in rounds if "fraction_of_limit" in r.get(name, {})]
        if fractions:
            merged[name]["fraction_of_limit"] = statistics.median(fractions)
    return merged


def limit_percentages(e, t):
    """Ember's and PyTorch's rate as a percentage of the machine's limit (same work, so the times scale it)."""
    if not e or "fraction_of_limit" not in e:
        return f"{'-':>9}", f"{'-':>9}"
    ember_pct = 100 * e["fraction_of_limit"]
    torch_pct = ember_pct * e["median_s"] / t["median_s"] if t and t["median_s"] > 0 else None
    return f"{ember_pct:8.1f}%", (f"{torch_pct:8.1f}%" if torch_pct is not None else f"{'-':>9}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ember", help="path of the release `ember` executable")
    parser.add_argument("--filter", help="only benchmarks whose name contains this text")
    parser.add_argument("--runs", type=int, help="timed runs per benchmark, for both suites")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch threads (default 2)")
    parser.add_argument("--rounds", type=int, default=1, help="alternate the two suites this many times (default 1)")
    parser.add_argument("--torchvision-resnet", action="store_true",
                        help="PyTorch's ResNet-18 rows with torchvision.models.resnet18 (needs torchvision)")
    args = parser.parse_args()

    extra = (["--filter", args.filter] if args.filter else []) + (["--runs", str(args.runs)] if args.runs else [])
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_reference.py")
    ember_rounds, torch_rounds = [], []
    for _ in range(max(1, args.rounds)):
        ember_rounds.append(run_json([args.ember, "bench", "--json"] + extra))
        torch_rounds.append(run_json([sys.executable, script, "--json", "--threads", str(args.threads)] + extra
                                     + (["--torchvision-resnet"] if args.torchvision_resnet else [])))
    ember, torch = median_of_rounds(ember_rounds), median_of_rounds(torch_rounds)

    names = list(ember) + [n for n in torch if n not in ember]
    print(f"{'benchmark':<32}{'Ember ms':>12}{'PyTorch ms':>12}{'Ember/PyTorch':>15}"
          f"{'E % limit':>11}{'P % limit':>11}")
    for name in names:
        e, t = ember.get(name), torch.get(name)
        es = f"{e['median_s'] * 1000:12.3f}" if e else f"{'-':>12}"
        ts = f"{t['median_s'] * 1000:12.3f}" if t else f"{'-':>12}"
        ratio = f"{e['median_s'] / t['median_s']:15.2f}" if e and t and t["median_s"] > 0 else f"{'-':>15}"
        ep, tp = limit_percentages(e, t)
        print(f"{name:<32}{es}{ts}{ratio}  {ep}  {tp}")


if __name__ == "__main__":
    main()
