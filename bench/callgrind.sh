# Sourced by bench/instructions.sh and bench/spans.sh: instructions per request under callgrind.
# Needs valgrind and wrk; the caller sets `secs` (measured seconds) and `out` (a scratch folder).

# The two envelopes of the same tools/call add(1, 2).
# shellcheck disable=SC2034
META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}}'
LEGACY_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'
MODERN_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2},'$META'}}'
LEGACY_HEADERS='MCP-Protocol-Version: 2025-06-18'
MODERN_HEADERS='MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|Mcp-Name: add'

# measure LABEL PORT BODY HEADERS CMD...: starts CMD under callgrind (uninstrumented), warms it
# up with 2 s of requests, then counts the instructions of SECS seconds of one-connection
# tools/call requests (bench/lua/request.lua) and prints `LABEL: N instructions/request`.
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

