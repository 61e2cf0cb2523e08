#!/usr/bin/env bash
# What the per-request span costs when nothing listens: hello as built (the span made, disabled
# at the default log level) against hello built with `mcp-runtime/untraced` (no span code), in
# one run: instructions per request under callgrind (both envelopes), then stateless tools/call
# requests per second, alternating the two binaries ROUNDS times (wrk, c=16).
# Usage: bench/spans.sh [SECONDS] [ROUNDS]   (needs valgrind and wrk)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-5}
rounds=${2:-3}
cd "$root"
bins=$root/target/spans
mkdir -p "$bins"
cargo build --release -q -p hello --features mcp-runtime/untraced
cp target/release/hello "$bins/untraced"
cargo build --release -q -p hello
cp target/release/hello "$bins/traced"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck source=bench/callgrind.sh
source "$root/bench/callgrind.sh"

echo "## instructions per request (callgrind, one connection)"
for variant in untraced traced; do
  MCP_BIND=127.0.0.1:8071 measure "$variant-legacy" 8071 "$LEGACY_BODY" "$LEGACY_HEADERS" "$bins/$variant"
  MCP_BIND=127.0.0.1:8072 measure "$variant-modern" 8072 "$MODERN_BODY" "$MODERN_HEADERS" "$bins/$variant"
done

echo "## requests per second (2026-07-28 envelope, wrk c=16, server on core 0, wrk on core 1)"
for round in $(seq "$rounds"); do
  for variant in untraced traced; do
    MCP_BIND=127.0.0.1:8073 taskset -c 0 "$bins/$variant" 2>/dev/null &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:8073/mcp && break; sleep 0.1; done
    BODY=$MODERN_BODY HEADERS=$MODERN_HEADERS taskset -c 1 wrk -t1 -c16 -d2s \
      -s bench/lua/request.lua http://127.0.0.1:8073/mcp >/dev/null
    rps=$(BODY=$MODERN_BODY HEADERS=$MODERN_HEADERS taskset -c 1 wrk -t1 -c16 -d"${secs}s" \
      -s bench/lua/request.lua http://127.0.0.1:8073/mcp | sed -n 's/^RESULT .*rps=\([0-9.]*\).*/\1/p')
    echo "round $round $variant: $rps req/s"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
done
