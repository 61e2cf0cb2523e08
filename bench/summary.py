#!/usr/bin/env python3
"""Reads bench/run.sh results and prints the ratios the targets are stated in."""
import re
import sys


def rows(path):
    for line in open(path):
        if line.startswith("#") or "rps=" not in line:
            continue
        label = line.split()[0]
        values = dict(re.findall(r"(\w+)=([\d.]+)", line))
        yield label, values


def main(path):
    rps, p99, other = {}, {}, []
    for label, v in rows(path):
        if "c" in v and "rps" in v:
            key = (label, int(v["c"]))
            rps[key] = float(v["rps"])
            p99[key] = float(v.get("p99_ms", 0))
    conns = sorted({c for (_, c) in rps})
    print("\n# summary (ratios within this run)")
    for c in conns:
        bare, rmcp, ours = rps.get(("bare", c)), rps.get(("rmcp", c)), rps.get(("ours", c))
        if bare and ours:
            line = f"c={c}: tools/call ours/bare={ours / bare:.2f}x"
            if rmcp:
                line += f" ours/rmcp={ours / rmcp:.2f}x"
            if p99.get(("bare", c)):
                line += f" p99 ours/bare={p99[('ours', c)] / p99[('bare', c)]:.2f}x"
            modern = rps.get(("ours-modern", c))
            if modern:
                line += f" modern-envelope/bare={modern / bare:.2f}x"
            print(line)
        if rps.get(("bare-list", c)) and rps.get(("ours-list", c)):
            print(f"c={c}: tools/list(1000) ours/bare-same-bytes={rps[('ours-list', c)] / rps[('bare-list', c)]:.2f}x")
        if rps.get(("ours-sse", c)) and rps.get(("ours-json", c)):
            print(f"c={c}: SSE call / JSON call={rps[('ours-sse', c)] / rps[('ours-json', c)]:.2f}x")
        first, retry = rps.get(("mrtr-first", c)), rps.get(("mrtr-retry", c))
        if first and retry:
            print(f"c={c}: MRTR round trips/s={1 / (1 / first + 1 / retry):.0f}")
    for line in open(path):
        if "lifecycle" in line or "idle_sessions" in line:
            print(line.strip())


if __name__ == "__main__":
    main(sys.argv[1])
