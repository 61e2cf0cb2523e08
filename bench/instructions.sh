#!/usr/bin/env bash
# Instructions per request under callgrind: this SDK (hello) against the bare axum ceiling, for
# tools/call with the 2025 and the 2026-07-28 envelope. Unlike requests/s, instruction counts
# do not depend on what else the machine is doing, so they show what a code change gained.
# Usage: bench/instructions.sh [SECONDS]   (needs valgrind, wrk, and the anchors bench/run.sh builds)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-8}
cd "$root"
cargo build --release -q -p hello
bare=$root/target/anchors-target/release/bare_axum
[ -x "$bare" ] || { echo "build the anchors first: bench/run.sh --smoke" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() { # measure LABEL PORT BODY HEADERS CMD...
  local label=$1 port=$2 body=$3 headers=$4
  shift 4
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/$label.%p" "$@" \
    >"$out/$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/mcp" && break; sleep 0.3; done
  # Warm up uninstrumented, then count only the measured requests.
  BODY=$body HEADERS=$headers wrk -t1 -c1 -d2s -s bench/lua/request.lua "http://127.0.0.1:$port/mcp" >/dev/null
  callgrind_control -i on "$pid" >/dev/null 2>&1
  sleep 1
  local n
  n=$(BODY=$body HEADERS=$headers wrk -t1 -c1 -d"${secs}s" -s bench/lua/request.lua \
    "http://127.0.0.1:$port/mcp" | sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p')
  callgrind_control -d "$pid" >/dev/null 2>&1
  sleep 1
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  local total
  total=$(callgrind_annotate "$out/$label.$pid.1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  echo "$label: $((total / n)) instructions/request ($n requests)"
}

META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}}'
LEGACY_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'
MODERN_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2},'$META'}}'
LEGACY_HEADERS='MCP-Protocol-Version: 2025-06-18'
MODERN_HEADERS='MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|Mcp-Name: add'
measure bare-legacy 8060 "$LEGACY_BODY" "$LEGACY_HEADERS" "$bare" 8060
MCP_BIND=127.0.0.1:8061 measure ours-legacy 8061 "$LEGACY_BODY" "$LEGACY_HEADERS" "$root/target/release/hello"
measure bare-modern 8062 "$MODERN_BODY" "$MODERN_HEADERS" "$bare" 8062
MCP_BIND=127.0.0.1:8063 measure ours-modern 8063 "$MODERN_BODY" "$MODERN_HEADERS" "$root/target/release/hello"
