#!/usr/bin/env python3
"""Runs `ember bench --json` and Benchmarks/torch_reference.py and prints both medians side by side.

    swift build -c release --scratch-path .build-r
    python3 Benchmarks/compare.py .build-r/release/ember --filter train

The ratio column is Ember / PyTorch (below 1: Ember is faster). The two suites run one after the other,
not interleaved, so on a shared machine rerun a line before trusting a small difference.
"""
import argparse
import json
import os
import subprocess
import sys


def run_json(cmd):
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    # The JSON array is the last line (anything before it is progress output).
    line = [l for l in out.splitlines() if l.strip().startswith("[")][-1]
    return {r["name"]: r for r in json.loads(line)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ember", help="path of the release `ember` executable")
    parser.add_argument("--filter", help="only benchmarks whose name contains this text")
    parser.add_argument("--runs", type=int, help="timed runs per benchmark, for both suites")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch threads (default 2)")
    args = parser.parse_args()

    extra = (["--filter", args.filter] if args.filter else []) + (["--runs", str(args.runs)] if args.runs else [])
    ember = run_json([args.ember, "bench", "--json"] + extra)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_reference.py")
    torch = run_json([sys.executable, script, "--json", "--threads", str(args.threads)] + extra)

    names = list(ember) + [n for n in torch if n not in ember]
    print(f"{'benchmark':<32}{'Ember ms':>12}{'PyTorch ms':>12}{'Ember/PyTorch':>15}")
    for name in names:
        e, t = ember.get(name), torch.get(name)
        es = f"{e['median_s'] * 1000:12.3f}" if e else f"{'-':>12}"
        ts = f"{t['median_s'] * 1000:12.3f}" if t else f"{'-':>12}"
        ratio = f"{e['median_s'] / t['median_s']:15.2f}" if e and t and t["median_s"] > 0 else f"{'-':>15}"
        print(f"{name:<32}{es}{ts}{ratio}")


if __name__ == "__main__":
    main()
