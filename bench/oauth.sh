#!/usr/bin/env bash
# Bearer-token validation (Server::oauth): stateless `tools/call add` (2026-07-28 envelope) on
# the same server without OAuth, with OAuth (JWT access tokens, ES256, validated tokens
# remembered: the default), and with OAuth checking every request's signature and claims (keys
# cached, no token cache), in one run, steps interleaved. Usage: bench/oauth.sh [-d SECONDS]
# [-r REPS] [-c "16 64"] [--smoke]
#   --smoke   1 s steps, one repetition: checks that every item runs (CI)
# The servers are pinned to core 0 and wrk to core 1, at nice -10. Needs wrk, curl, taskset,
# python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
DUR=10 CONNS="16 64" REPS=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --smoke) DUR=1 REPS=1 CONNS=16 ;;
    -d) DUR=$2; shift ;;
    -r) REPS=$2; shift ;;
    -c) CONNS=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
for tool in wrk curl taskset python3; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install wrk)" >&2; exit 1; }
done
cd "$root"
echo "# building (release)"
cargo build --release -q -p mcp-bench
R=$root/target/release

pids=()
start() { # start MODE PORT: a bench server pinned to core 0
  local mode=$1 port=$2
  MCP_BENCH_TOKEN_FILE=$root/target/bench-token-$mode \
    nice -n -10 taskset -c 0 "$R/bench-server" "$mode" "$port" >"$root/target/bench-$mode.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/mcp" && return 0; sleep 0.1; done
  echo "server $mode did not start" >&2; exit 1
}
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap stop_all EXIT

results=$root/target/bench-oauth.txt
: >"$results"
say() { echo "$*" | tee -a "$results"; }
failed=0
load() { # load LABEL PORT C HEADERS: one wrk step of tools/call add; fails the run on errors
  local label=$1 port=$2 c=$3 out
  out=$(BODY=$ADD HEADERS=$4 nice -n -10 taskset -c 1 wrk -t1 -c"$c" -d"${DUR}s" --timeout 5s \
    -s "$root/bench/lua/request.lua" "http://127.0.0.1:$port/mcp" 2>/dev/null | grep '^RESULT')
  say "$label c=$c ${out#RESULT }"
  case $out in *"errors=0 non2xx=0"*) ;; *) echo "FAILED: $label had errors" >&2; failed=1 ;; esac
}

META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1"}}'
ADD='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2},'$META'}}'
HEADERS='MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|Mcp-Name: add'

start stateless 8811
start oauth 8812
start oauth-uncached 8813
for mode in oauth oauth-uncached; do
  # Each server's token names its own address as the audience.
  declare "token_${mode//-/_}=$(cat "$root/target/bench-token-$mode")"
done
# The token works, and a request without one is refused (so the servers check).
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:8812/mcp")" = 401 ] ||
  { echo "FAILED: the OAuth server served a request without a token" >&2; exit 1; }

say "# OAuth: tools/call add without OAuth, with it (token cache), with it (every token checked) ($(date -u +%FT%TZ), ${DUR}s steps, $REPS reps)"
for rep in $(seq "$REPS"); do
  for c in $CONNS; do
    load "rep $rep none" 8811 "$c" "$HEADERS"
    load "rep $rep jwt" 8812 "$c" "$HEADERS|Authorization: Bearer $token_oauth"
    load "rep $rep jwt-uncached" 8813 "$c" "$HEADERS|Authorization: Bearer $token_oauth_uncached"
  done
done
stop_all
python3 - "$results" <<'PY' | tee -a "$results"
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"rep \d+ (\S+) c=(\d+) .*rps=([\d.]+)", line)
    if m:
        rows.setdefault((m[1], int(m[2])), []).append(float(m[3]))
for c in sorted({c for _, c in rows}):
    none = statistics.median(rows[("none", c)])
    for kind in ("jwt", "jwt-uncached"):
        got = statistics.median(rows[(kind, c)])
        print(f"c={c} {kind}: {got:.0f} req/s against {none:.0f} without OAuth: "
              f"{got / none:.3f}x ({(1 - got / none) * 100:.1f}% cost)")
PY
say "results in $results"
exit $failed
