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


def stdio(path):
    """Median calls/s of each stdio run (`stdio-load` lines) and ours against rmcp."""
    runs = {}
    for line in open(path):
        if line.startswith("RESULT ") and " stdio-" in line:
            label, era = line.split()[1:3]
            value = float(re.search(r"calls_per_s=([\d.]+)", line).group(1))
            runs.setdefault((label, era), []).append(value)
    if not runs:
        return
    print("\n# stdio (pipelined tools/call, calls/s, median)")
    for (label, era), values in sorted(runs.items()):
        print(f"{label} {era}: {statistics.median(values):.0f}")
    ours, rmcp = runs.get(("ours", "stdio-legacy")), runs.get(("rmcp", "stdio-legacy"))
    if ours and rmcp:
        ratios = [a / b for a, b in zip(ours, rmcp)]
        print(f"ours/rmcp (2025 envelope): {statistics.median(ratios):.2f}x")


def main(path):
    samples = {}
    for label, v in rows(path):
        if "c" in v and "rps" in v:
            key = (label, int(v["c"]))
            samples.setdefault(key, []).append((float(v["rps"]), float(v.get("p99_ms", 0))))
    # A scenario measured several times (alternating with its ceiling) is its median.
    rps = {k: statistics.median(r for r, _ in s) for k, s in samples.items()}
    p99 = {k: statistics.median(p for _, p in s) for k, s in samples.items()}

    def ratio(ours, base, c, p99s=False):
        """The median of the per-round ratios: rounds alternate, so a slow spell of the machine
        hits both sides of a round alike."""
        a, b = samples.get((ours, c)), samples.get((base, c))
        if not a or not b:
            return None
        i = 1 if p99s else 0
        pairs = [x[i] / y[i] for x, y in zip(a, b) if y[i] > 0]
        return statistics.median(pairs) if pairs else None
    conns = sorted({c for (_, c) in rps})
    print("\n# summary (ratios within this run)")
    for c in conns:
        if ratio("ours", "bare", c):
            line = (
                f"c={c}: tools/call 2025 envelope ours/bare={ratio('ours', 'bare', c):.2f}x"
                f" ({rps[('ours', c)]:.0f} vs {rps[('bare', c)]:.0f} req/s)"
            )
            if ratio("ours", "rmcp", c):
                line += f" ours/rmcp={ratio('ours', 'rmcp', c):.2f}x ({rps[('rmcp', c)]:.0f} req/s)"
            line += f" p99 ours/bare={ratio('ours', 'bare', c, p99s=True):.2f}x"
            line += f" ({p99[('ours', c)]:.2f} vs {p99[('bare', c)]:.2f} ms)"
            print(line)
        if ratio("ours-modern", "bare-modern", c):
            print(
                f"c={c}: tools/call 2026-07-28 envelope ours/bare-same-body="
                f"{ratio('ours-modern', 'bare-modern', c):.2f}x"
                f" ({rps[('ours-modern', c)]:.0f} vs {rps[('bare-modern', c)]:.0f} req/s)"
                f" p99 ours/bare={ratio('ours-modern', 'bare-modern', c, p99s=True):.2f}x"
                f" ({p99[('ours-modern', c)]:.2f} vs {p99[('bare-modern', c)]:.2f} ms)"
            )
        if ratio("ours-list", "bare-list", c):
            print(f"c={c}: tools/list(1000) ours/bare-same-bytes={ratio('ours-list', 'bare-list', c):.2f}x")
        if ratio("ours-sse", "ours-json", c):
            print(f"c={c}: SSE call / JSON call={ratio('ours-sse', 'ours-json', c):.2f}x")
        first, retry = rps.get(("mrtr-first", c)), rps.get(("mrtr-retry", c))
        if first and retry:
            print(f"c={c}: MRTR round trips/s={1 / (1 / first + 1 / retry):.0f}")
    for line in open(path):
        if "lifecycle" in line or "idle_sessions" in line:
            print(line.strip())


if __name__ == "__main__":
    main(sys.argv[1])
    stdio(sys.argv[1])
