#!/usr/bin/env bash
# SSE soak: opens STREAMS concurrent `subscriptions/listen` streams (default 10,000) against the
# release soak server (the stateless bench server counting its heap), several rounds, and reports memory, descriptors and reclamation;
# then opens as many idle 2025-era sessions on the stateful soak server and reports their cost.
# Usage: bench/soak.sh [STREAMS] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
streams=${1:-10000} rounds=${2:-3} port=${SOAK_PORT:-18950}
cd "$root"
cargo build --release -q -p mcp-bench
# Each stream is one connection: the server needs a descriptor per stream.
ulimit -n "$(ulimit -Hn)"
"$root/target/release/soak-server" "$port" >"$root/target/soak-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/mcp" && break; sleep 0.1; done
python3 "$root/bench/soak.py" --server-pid "$server" --port "$port" --streams "$streams" --rounds "$rounds"
kill $server 2>/dev/null || true
wait $server 2>/dev/null || true
"$root/target/release/soak-server" "$port" stateful >"$root/target/soak-server-stateful.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/mcp" && break; sleep 0.1; done
python3 "$root/bench/soak.py" --server-pid "$server" --port "$port" --sessions "$streams"
