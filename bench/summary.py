#!/usr/bin/env python3
"""Reads bench/run.sh results and prints the ratios the targets are stated in."""
import re
import statistics
import sys


def rows(path):
    for line in open(path):
        if line.startswith("#") or "rps=" not in line:
            continue
        label = line.split()[0]
        values = dict(re.findall(r"(\w+)=([\d.]+)", line))
        yield label, values


def main(path):
    samples = {}
    for label, v in rows(path):
        if "c" in v and "rps" in v:
            key = (label, int(v["c"]))
            samples.setdefault(key, []).append((float(v["rps"]), float(v.get("p99_ms", 0))))
    # A scenario measured several times (alternating with its ceiling) is its median.
    rps = {k: statistics.median(r for r, _ in s) for k, s in samples.items()}
    p99 = {k: statistics.median(p for _, p in s) for k, s in samples.items()}
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
            print(line)
        modern, bare_modern = rps.get(("ours-modern", c)), rps.get(("bare-modern", c))
        if modern and bare_modern:
            print(
                f"c={c}: tools/call 2026-07-28 envelope ours/bare-same-body={modern / bare_modern:.2f}x"
                f" ({modern:.0f} vs {bare_modern:.0f} req/s, medians of {len(samples[('ours-modern', c)])})"
                f" p99 ours/bare={p99[('ours-modern', c)] / max(p99[('bare-modern', c)], 1e-9):.2f}x"
            )
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
