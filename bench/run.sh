#!/usr/bin/env bash
# Benchmarks this SDK against a bare axum handler (the ceiling) and the official Rust SDK (rmcp),
# in one run, on loopback. Usage: bench/run.sh [--smoke] [-d SECONDS] [-c "1 16 64"] [-r REPS] [--calls-only]
#   --calls-only  only the stateless tools/call scenarios (1 and 2)
#   --smoke   a short run that only checks every scenario works (CI)
# Servers are pinned to core 0 and the load generator (wrk) to core 1, as ../shared/bench does.
# Needs wrk (apt-get install wrk), curl, python3, taskset, and ../shared/bench beside the repo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${MCP_SHARED:-$root/../shared}
DUR=10 CONNS="1 16 64" SESSIONS="1000 5000" SMOKE=0 REPS=3 CALLS_ONLY=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --smoke) SMOKE=1; DUR=1; CONNS="1 16"; SESSIONS="200"; REPS=1 ;;
    -d) DUR=$2; shift ;;
    -c) CONNS=$2; shift ;;
    -r) REPS=$2; shift ;;
    --calls-only) CALLS_ONLY=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
cd "$root"
export QUIET_WAIT=${QUIET_WAIT:-20}

echo "# building (release): this SDK's servers and the anchors"
cargo build --release -q -p hello -p mcp-bench
anchors=$root/target/anchors
mkdir -p "$anchors"
cp -r "$shared/bench/anchors/rust/." "$anchors/"
# This repository's own anchor: rmcp on stdio.
cp -r "$root/bench/anchors/rmcp_stdio" "$anchors/"
grep -q rmcp_stdio "$anchors/Cargo.toml" || sed -i 's/^members = \[/members = ["rmcp_stdio", /' "$anchors/Cargo.toml"
(cd "$anchors" && CARGO_TARGET_DIR="$root/target/anchors-target" cargo build --release -q)
A=$root/target/anchors-target/release
R=$root/target/release

pids=()
start() { # start NAME PORT CMD...: a server pinned to core 0
  local name=$1 port=$2; shift 2
  nice -n -10 taskset -c 0 "$@" >"$root/target/bench-$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/mcp" && return 0; sleep 0.1; done
  echo "server $name did not start" >&2; exit 1
}
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap stop_all EXIT

results=$root/target/bench-results.txt
: >"$results"
say() { echo "$*" | tee -a "$results"; }

load() { # load LABEL URL C BODY HEADERS: one wrk step with bench/lua/request.lua
  local label=$1 url=$2 c=$3
  local out
  out=$(BODY=$4 HEADERS=$5 nice -n -10 taskset -c 1 wrk -t1 -c"$c" -d"${DUR}s" --timeout 5s \
    -s "$root/bench/lua/request.lua" "$url" 2>/dev/null | grep '^RESULT')
  say "$label c=$c ${out#RESULT }"
}

LEGACY='MCP-Protocol-Version: 2025-06-18'
MODERN_META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}}'
ADD_MODERN='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2},'$MODERN_META'}}'
MODERN_HEADERS='MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|Mcp-Name: add'
LIST='{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'
COUNT='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"count","arguments":{},"_meta":{"progressToken":1}}}'
ADD='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'

say "## 1. stateless tools/call add(1,2), 2025 envelope (shared/bench/bench.sh)"
start bare 8000 "$A/bare_axum" 8000
start rmcp 8001 "$A/rmcp_anchor" stateless 8001
start ours 8002 env MCP_BIND=127.0.0.1:8002 "$R/hello"
say "# each server in turn, REPS=$REPS times (the summary takes the median of the per-round ratios)"
for _ in $(seq "$REPS"); do
  for s in "bare 8000" "rmcp 8001" "ours 8002"; do
    set -- $s
    "$shared/bench/bench.sh" "http://127.0.0.1:$2/mcp" -c "$CONNS" -d "$DUR" -w 1 --label "$1" 2>/dev/null \
      | grep -v '^#' | grep -v peak_rss | tee -a "$results"
  done
done

say "## 2. stateless tools/call add(1,2), 2026-07-28 envelope (_meta and headers); the ceiling"
say "# parses the same body (bare axum ignores _meta and the headers). Alternating, REPS=$REPS times."
for c in $CONNS; do
  for _ in $(seq "$REPS"); do
    load "bare-modern" http://127.0.0.1:8000/mcp "$c" "$ADD_MODERN" "$MODERN_HEADERS"
    load "ours-modern" http://127.0.0.1:8002/mcp "$c" "$ADD_MODERN" "$MODERN_HEADERS"
  done
done
stop_all

if [ "$CALLS_ONLY" = 0 ]; then
say "## 3. tools/list of 1,000 tools (one page, pre-serialized) vs bare axum sending the same bytes"
start ours-list 8003 "$R/bench-server" stateless 8003
start bare-list 8004 "$R/bench-server" bare-list 8004
size=$(curl -s -H 'Content-Type: application/json' -H "$LEGACY" -d "$LIST" http://127.0.0.1:8003/mcp | wc -c)
say "# response body: $size bytes"
for c in $CONNS; do
  load "ours-list" http://127.0.0.1:8003/mcp "$c" "$LIST" "$LEGACY"
  load "bare-list" http://127.0.0.1:8004/mcp "$c" "$LIST" "$LEGACY"
done

say "## 4. a call answered over SSE (one progress notification, then the result) vs the JSON path"
for c in $CONNS; do
  load "ours-sse" http://127.0.0.1:8003/mcp "$c" "$COUNT" "$LEGACY"
  load "ours-json" http://127.0.0.1:8003/mcp "$c" "$ADD" "$LEGACY"
done
stop_all

say "## 5. MRTR round trip (2026-07-28): the first call (input_required) and the retry with the answer"
start ours-stateful 8005 "$R/bench-server" stateful 8005
CONFIRM='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"confirm","arguments":{},'$MODERN_META'}}'
CONFIRM_HEADERS='MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|Mcp-Name: confirm'
state=$(curl -s -H 'Content-Type: application/json' -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' \
  -H 'Mcp-Name: confirm' -d "$CONFIRM" http://127.0.0.1:8005/mcp | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["requestState"])')
RETRY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"confirm","arguments":{},"requestState":"'$state'","inputResponses":{"confirm":{"action":"accept","content":{"ok":true}}},'$MODERN_META'}}'
for c in $CONNS; do
  load "mrtr-first" http://127.0.0.1:8005/mcp "$c" "$CONFIRM" "$CONFIRM_HEADERS"
  load "mrtr-retry" http://127.0.0.1:8005/mcp "$c" "$RETRY" "$CONFIRM_HEADERS"
done

say "## 6. legacy stateful: session lifecycle rate and memory per idle session (fresh servers)"
stop_all
start ours-stateful 8005 "$R/bench-server" stateful 8005
"$shared/bench/bench.sh" http://127.0.0.1:8005/mcp --stateful --lifecycle -c "" --lc-conns "1 16" -d "$DUR" -w 1 \
  --sessions "$SESSIONS" --label ours-stateful 2>/dev/null | grep -v '^#' | tee -a "$results"
start rmcp-stateful 8011 "$A/rmcp_anchor" stateful 8011
"$shared/bench/bench.sh" http://127.0.0.1:8011/mcp --stateful --lifecycle -c "" --lc-conns "1 16" -d "$DUR" -w 1 \
  --sessions "$SESSIONS" --label rmcp-stateful 2>/dev/null | grep -v '^#' | tee -a "$results"
stop_all
fi

if [ "$CALLS_ONLY" = 0 ]; then
say "## 7. stdio: pipelined tools/call (16 in flight), this SDK against rmcp, one process each"
STDIO_CALLS=$([ "$SMOKE" = 1 ] && echo 2000 || echo 50000)
for _ in $(seq "$REPS"); do
  "$R/stdio-load" ours legacy "$STDIO_CALLS" 16 -- "$R/bench-server" stdio | tee -a "$results"
  "$R/stdio-load" rmcp legacy "$STDIO_CALLS" 16 -- "$A/rmcp_stdio" | tee -a "$results"
  "$R/stdio-load" ours modern "$STDIO_CALLS" 16 -- "$R/bench-server" stdio | tee -a "$results"
done
fi

python3 "$root/bench/summary.py" "$results"
# Every scenario ran (a failing one stops the script with its status): exit 0, smoke or not.
if [ "$SMOKE" = 1 ]; then
  echo "bench smoke: every scenario ran"
fi
exit 0
