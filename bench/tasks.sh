#!/usr/bin/env bash
# Tasks (the io.modelcontextprotocol/tasks extension): how fast a server creates them and answers
# polls, in memory and on Redis, beside a plain stateless tools/call of the same server in the
# same run. Usage: bench/tasks.sh [-d SECONDS] [--smoke]
#   -d        measured seconds per wrk step (default 10)
#   --smoke   1 s steps: checks that every item runs (CI)
# Items, each at c=16 and c=64 (wrk, one thread):
#   1. `tools/call add` (2026-07-28 envelope): the reference;
#   2. task creation: `tools/call job {ms: 20}` from a client declaring the extension; every
#      call is answered with a new task (`resultType: "task"`), whose handler then sleeps 20 ms
#      and completes; tasks live MCP_TASK_TTL_MS (10 s) and are then swept;
#   3. polling: `tasks/get` of one running task, answered by the process running it;
#   with Redis (two `bench-server tasks` on one Redis): 2. on the first process, whose tasks are
#   written to Redis before each creation is answered, and 3. through the SECOND process, which
#   reads the task from Redis on every poll. Redis commands per created task and per poll are
#   counted from INFO commandstats.
# The servers are pinned to core 0 and wrk to core 1, at nice -10. Needs wrk, curl, redis-cli,
# taskset, python3. Env: MCP_REDIS_URL (default redis://127.0.0.1:6379).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
DUR=10 CONNS="16 64"
while [[ $# -gt 0 ]]; do
  case $1 in
    --smoke) DUR=1 ;;
    -d) DUR=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
for tool in wrk curl redis-cli taskset python3; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install wrk redis-tools)" >&2; exit 1; }
done
export MCP_REDIS_URL=${MCP_REDIS_URL:-redis://127.0.0.1:6379}
PREFIX=mcp-bench-tasks
rcli() { redis-cli -u "$MCP_REDIS_URL" "$@"; }
[ "$(rcli ping)" = PONG ] || { echo "Redis at $MCP_REDIS_URL does not answer" >&2; exit 1; }
cd "$root"
echo "# building (release)"
cargo build --release -q -p mcp-bench
R=$root/target/release

pids=()
start() { # start NAME PORT [ENV=VALUE...]: a tasks bench server pinned to core 0
  local name=$1 port=$2; shift 2
  env "$@" nice -n -10 taskset -c 0 "$R/bench-server" tasks "$port" >"$root/target/bench-$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/mcp" && return 0; sleep 0.1; done
  echo "server $name did not start" >&2; exit 1
}
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap stop_all EXIT

results=$root/target/bench-tasks.txt
: >"$results"
say() { echo "$*" | tee -a "$results"; }
failed=0
load() { # load LABEL PORT C BODY HEADERS: one wrk step; fails the run on errors or non-2xx
  local label=$1 port=$2 c=$3 out
  out=$(BODY=$4 HEADERS=$5 nice -n -10 taskset -c 1 wrk -t1 -c"$c" -d"${DUR}s" --timeout 5s \
    -s "$root/bench/lua/request.lua" "http://127.0.0.1:$port/mcp" 2>/dev/null | grep '^RESULT')
  say "$label c=$c ${out#RESULT }"
  case $out in *"errors=0 non2xx=0"*) ;; *) echo "FAILED: $label had errors" >&2; failed=1 ;; esac
  requests=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$out")
}

META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}},"io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1"}}'
ADD='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2},'$META'}}'
ADD_HEADERS='MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|Mcp-Name: add'
JOB='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"job","arguments":{"ms":20},'$META'}}'
JOB_HEADERS='MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|Mcp-Name: job'
LONG='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"job","arguments":{"ms":3600000},'$META'}}'

create_long() { # create_long PORT: a task that runs past the run; prints its id
  curl -s "http://127.0.0.1:$1/mcp" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2026-07-28' \
    -H 'Mcp-Method: tools/call' -H 'Mcp-Name: job' -d "$LONG" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["result"]; assert r["resultType"]=="task", r; print(r["taskId"])'
}
poll_body() { echo '{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"taskId":"'"$1"'",'$META'}}'; }
poll_headers() { echo "MCP-Protocol-Version: 2026-07-28|Mcp-Method: tasks/get|Mcp-Name: $1"; }
calls() { rcli info commandstats | python3 -c '
import sys
total = 0
for line in sys.stdin:
    if line.startswith("cmdstat_"):
        total += int(line.split("calls=")[1].split(",")[0])
print(total)'; }

say "# tasks: creation and polling, in memory and on Redis ($(date -u +%FT%TZ), ${DUR}s steps)"
say "## in memory (one process)"
start memory 8801
for c in $CONNS; do load "1. tools/call add (reference), memory" 8801 "$c" "$ADD" "$ADD_HEADERS"; done
for c in $CONNS; do load "2. task creation (tools/call job), memory" 8801 "$c" "$JOB" "$JOB_HEADERS"; done
id=$(create_long 8801)
for c in $CONNS; do
  load "3. tasks/get, memory" 8801 "$c" "$(poll_body "$id")" "$(poll_headers "$id")"
done
stop_all

say "## on Redis (two processes; tasks created on the first, polled through the second)"
rcli --scan --pattern "$PREFIX:*" | xargs -r redis-cli -u "$MCP_REDIS_URL" del >/dev/null
start redis-a 8802 MCP_REDIS_PREFIX=$PREFIX
start redis-b 8803 MCP_REDIS_PREFIX=$PREFIX
for c in $CONNS; do load "1. tools/call add (reference), Redis" 8802 "$c" "$ADD" "$ADD_HEADERS"; done
for c in $CONNS; do
  before=$(calls)
  load "2. task creation (tools/call job), Redis" 8802 "$c" "$JOB" "$JOB_HEADERS"
  sleep 1 # the last tasks finish and write their ends
  say "   Redis commands per created task (its creation, its end; a script's inner commands count): $(python3 -c "print(round(($(calls) - $before) / max($requests, 1), 2))")"
done
id=$(create_long 8802)
for c in $CONNS; do
  before=$(calls)
  load "3. tasks/get through the other process, Redis" 8803 "$c" "$(poll_body "$id")" "$(poll_headers "$id")"
  say "   Redis commands per poll: $(python3 -c "print(round(($(calls) - $before) / max($requests, 1), 2))")"
done
for c in $CONNS; do
  load "3b. tasks/get on the process running it, Redis" 8802 "$c" "$(poll_body "$id")" "$(poll_headers "$id")"
done
stop_all
rcli --scan --pattern "$PREFIX:*" | xargs -r redis-cli -u "$MCP_REDIS_URL" del >/dev/null
say "results in $results"
exit $failed
