#!/usr/bin/env bash
# Several processes of one stateful server on Redis (RedisStore), against one process in memory,
# both behind the same HAProxy. Usage: bench/redis.sh [-d SECONDS] [--smoke]
#   -d        measured seconds per wrk step (default 10)
#   --smoke   a short run that checks every item works (1 s steps, 2,000 sessions, 1,000 streams)
# Items:
#   1. stateful tools/call `add` in one session (bench/load.sh --stateful, c=16 and 64):
#      ONE `bench-server stateful` in memory behind HAProxy, against TWO `bench-server stateful`
#      sharing Redis behind HAProxy with `balance roundrobin`, so that consecutive requests of the
#      one session alternate between the processes (checked: the processes' request counts from
#      HAProxy's stats, and a header naming the process on ten consecutive requests);
#   2. session lifecycles/s (initialize, initialized, call, DELETE) through the same two setups;
#   3. Redis memory per idle session: 100,000 sessions opened through the two Redis processes
#      (initialize, initialized, one call each), Redis `used_memory` before and after, the
#      processes' RSS, the count in Redis (ZCARD PREFIX:sessions) and a call in the first session
#      at the end;
#   4. one tool-list change reaching 10,000 `subscriptions/listen` streams: one soak server in
#      memory, then two on Redis with 5,000 streams each, the change raised on the first
#      (bench/soak.py --port2).
# Servers are pinned to core 0; wrk and HAProxy (one thread) to core 1, all at nice -10. Redis
# is the machine's own (not pinned); its CPU time in each step is printed. Item 4 is not pinned,
# as bench/soak.sh is not. Needs wrk, haproxy, redis-cli, curl, python3 and taskset.
# Env: MCP_REDIS_URL (default redis://127.0.0.1:6379), MCP_REDIS_PREFIX (default
# mcp-bench-redis; its keys are deleted before each item).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
DUR=10 CONNS="16 64" LC_CONNS="1 16" SESSIONS=100000 STREAMS=10000 ROUNDS=3 SMOKE=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --smoke) SMOKE=1; DUR=1; SESSIONS=2000; STREAMS=1000; ROUNDS=1 ;;
    -d) DUR=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
for tool in wrk haproxy redis-cli curl python3 taskset; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install wrk haproxy redis-tools)" >&2; exit 1; }
done
export MCP_REDIS_URL=${MCP_REDIS_URL:-redis://127.0.0.1:6379}
export MCP_REDIS_PREFIX=${MCP_REDIS_PREFIX:-mcp-bench-redis}
export QUIET_WAIT=${QUIET_WAIT:-20}
PREFIX=$MCP_REDIS_PREFIX
rcli() { redis-cli -u "$MCP_REDIS_URL" "$@"; }
[ "$(rcli ping)" = PONG ] || { echo "Redis at $MCP_REDIS_URL does not answer" >&2; exit 1; }
cd "$root"
echo "# building (release)"
cargo build --release -q -p mcp-bench
R=$root/target/release
work=$root/target/redis-bench
mkdir -p "$work"
# Each listen stream and each HAProxy connection is a descriptor.
ulimit -n "$(ulimit -Hn)"

HA=8100 MEM=8101 A=8102 B=8103 STATS=8109
HA_MEM=8110 # HAProxy's frontend to the one in-memory process; $HA is the two Redis processes'
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap stop_all EXIT
flush() { # the keys of this benchmark's prefix, and nothing else
  rcli --scan --pattern "$PREFIX:*" | xargs -r -n 1000 redis-cli -u "$MCP_REDIS_URL" del >/dev/null
}
wait_port() {
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/${2:-mcp}" && return 0; sleep 0.1; done
  echo "nothing answers on port $1" >&2; exit 1
}
port_free() {
  if [ -n "$(ss -ltnH "sport = :$1")" ]; then echo "port $1 is taken (a server left from an earlier run?)" >&2; exit 1; fi
}
server() { # server NAME PORT memory|redis [BIN [MODE]]: a server pinned to core 0; sets $last
  local name=$1 port=$2 store=$3 bin=${4:-bench-server} mode=${5:-stateful} env=(env)
  port_free "$port"
  [ "$store" = memory ] && env=(env -u MCP_REDIS_URL)
  if [ "$bin" = soak-server ]; then # not pinned, as bench/soak.sh
    "${env[@]}" "$R/soak-server" "$port" "$mode" >"$work/$name.log" 2>&1 &
  else
    nice -n -10 taskset -c 0 "${env[@]}" "$R/$bin" "$mode" "$port" >"$work/$name.log" 2>&1 &
  fi
  last=$!
  pids+=("$last")
  wait_port "$port"
}
haproxy_start() { # the same configuration for both setups: round robin per request
  for p in $HA $HA_MEM $STATS; do port_free "$p"; done
  cat >"$work/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 8000
defaults
  mode http
  maxconn 8000
  timeout connect 5s
  timeout client 120s
  timeout server 120s
# Each request is balanced on its own (HTTP mode, keep-alive on both sides); no stickiness,
# no prefer-last-server. The header names the process that answered, for the checks.
frontend redis
  bind 127.0.0.1:$HA
  http-response set-header X-Backend %s
  default_backend redis
frontend memory
  bind 127.0.0.1:$HA_MEM
  http-response set-header X-Backend %s
  default_backend memory
backend redis
  balance roundrobin
  server a 127.0.0.1:$A
  server b 127.0.0.1:$B
backend memory
  balance roundrobin
  server m 127.0.0.1:$MEM
frontend stats
  bind 127.0.0.1:$STATS
  stats enable
  stats uri /stats
EOF
  haproxy -c -q -f "$work/haproxy.cfg"
  nice -n -10 taskset -c 1 haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  haproxy_pid=$!
  pids+=("$haproxy_pid")
  wait_port "$STATS" stats
}
# Requests each process answered, and the non-2xx among them, from HAProxy's stats (cumulative).
backend_stats() {
  curl -s "http://127.0.0.1:$STATS/stats;csv" | python3 -c '
import csv, sys
rows = list(csv.DictReader(l.lstrip("# ") for l in sys.stdin))
out = []
for r in rows:
    if r["svname"] in ("a", "b", "m"):
        other = sum(int(r[k] or 0) for k in ("hrsp_1xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"))
        out.append("{}={}/{}/{}".format(r["svname"], r["stot"], r["hrsp_2xx"], other))
print(" ".join(out))'
}
ha_total() { backend_stats | tr ' ' '\n' | awk -F'[=/]' '{s+=$2} END{print s+0}'; }
redis_cmds() { rcli info stats | awk -F: '/^total_commands_processed:/{print $2+0}'; }
redis_pid=$(pidof redis-server 2>/dev/null | awk '{print $1}' || true)
ticks() { # CPU ticks (user+system) of the pids given
  local t=0 p
  for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
  echo "$t"
}
TCK=$(getconf CLK_TCK)
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

# The Python client for the checks and the idle sessions (stdlib only, keep-alive connections).
cat >"$work/client.py" <<'PY'
import asyncio, json, sys, time
PROTO = "2025-11-25"
INIT = json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
    "protocolVersion": PROTO, "capabilities": {}, "clientInfo": {"name": "redis-bench", "version": "1"}}})
NOTE = '{"jsonrpc":"2.0","method":"notifications/initialized"}'
CALL = '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'

def request(port, body, session=None):
    head = ["POST /mcp HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json",
            "Accept: application/json, text/event-stream", f"MCP-Protocol-Version: {PROTO}",
            f"Content-Length: {len(body)}"]
    if session:
        head.append(f"Mcp-Session-Id: {session}")
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode()

async def exchange(reader, writer, data):
    """One request on a kept-alive connection: (status, headers, body); chunked bodies too."""
    writer.write(data)
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        n = int(headers.get("content-length", 0))
        body = await reader.readexactly(n) if n else b""
    return status, headers, body

async def open_session(reader, writer, port, tally, ids):
    status, h, _ = await exchange(reader, writer, request(port, INIT))
    tally[h.get("x-backend", "?")] = tally.get(h.get("x-backend", "?"), 0) + 1
    session = h.get("mcp-session-id")
    if status != 200 or not session:
        return None, f"initialize {status}"
    status, h, _ = await exchange(reader, writer, request(port, NOTE, session))
    tally[h.get("x-backend", "?")] = tally.get(h.get("x-backend", "?"), 0) + 1
    if status >= 300:
        return None, f"initialized {status}"
    status, h, body = await exchange(reader, writer, request(port, CALL % next(ids), session))
    tally[h.get("x-backend", "?")] = tally.get(h.get("x-backend", "?"), 0) + 1
    if status != 200 or b'"text":"3"' not in body.replace(b" ", b""):
        return None, f"call {status}"
    return session, None

async def main():
    what, port = sys.argv[1], int(sys.argv[2])
    ids = iter(range(1, 10**9))
    if what == "alternate":
        # One session, ten consecutive calls on one connection: which process answered each.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        tally = {}
        session, error = await open_session(reader, writer, port, tally, ids)
        assert session, error
        seen = []
        for _ in range(10):
            status, h, body = await exchange(reader, writer, request(port, CALL % next(ids), session))
            assert status == 200 and b'"3"' in body, (status, body)
            seen.append(h.get("x-backend", "?"))
        print(" ".join(seen))
    elif what == "call":
        # One call in session argv[3], on a new connection, twice (so both processes answer one).
        out = []
        for _ in range(2):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            status, h, body = await exchange(reader, writer, request(port, CALL % next(ids), sys.argv[3]))
            ok = status == 200 and b'"text":"3"' in body.replace(b" ", b"")
            out.append(f"{h.get('x-backend', '?')}:{status}{'' if ok else ':BAD'}")
            writer.close()
        print(" ".join(out))
    elif what == "sessions":
        # N sessions (initialize, initialized, one call each) over W kept-alive connections.
        n, workers = int(sys.argv[3]), 50
        tally, errors, sessions = {}, {}, []
        first = []
        async def worker(k, count):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for i in range(count):
                try:
                    session, error = await open_session(reader, writer, port, tally, ids)
                except (ConnectionError, asyncio.IncompleteReadError) as e:
                    session, error = None, type(e).__name__
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                if session:
                    sessions.append(session)
                    if k == 0 and i == 0:
                        first.append(session)
                else:
                    errors[error] = errors.get(error, 0) + 1
            writer.close()
        # The first session is opened before the others, so that it is the oldest.
        started = time.monotonic()
        await worker(0, 1)
        await asyncio.gather(*(worker(k + 1, (n - 1) // workers + (k < (n - 1) % workers))
                               for k in range(workers)))
        took = time.monotonic() - started
        print(f"SESSIONS created={len(sessions)} failed={sum(errors.values())} secs={took:.1f} "
              f"rate={len(sessions) / took:.0f}/s first={first[0] if first else ''} "
              f"requests_by_process={json.dumps(tally, sort_keys=True)} errors={json.dumps(errors)}")

asyncio.run(main())
PY
client() { python3 "$work/client.py" "$@"; }

results=$work/results.txt
: >"$results"
say() { echo "$*" | tee -a "$results"; }
bench() { # bench LABEL PORT PIDS... -- load.sh options: one bench/load.sh run, with CPU of every part
  local label=$1 port=$2; shift 2
  local procs=() ; while [ "$1" != -- ]; do procs+=("$1"); shift; done; shift
  local t0 t1 s0 s1 st0 st1 hp rd sv
  local h0 c0
  st0=$(backend_stats); h0=$(ha_total); c0=$(redis_cmds); s0=$(date +%s.%N)
  t0=$(ticks "${procs[@]}"); hp=$(ticks "$haproxy_pid"); rd=$(ticks "$redis_pid")
  "$root/bench/load.sh" "http://127.0.0.1:$port/mcp" --stateful -w 1 -d "$DUR" --pid "${procs[0]}" \
    --label "$label" "$@" 2>&1 | grep -Ev '^# [^W]|peak_rss' | tee -a "$results"
  t1=$(ticks "${procs[@]}"); s1=$(date +%s.%N)
  sv=$(awk -v a="$t0" -v b="$t1" -v t="$TCK" 'BEGIN{printf "%.1f", (b-a)/t}')
  hp=$(awk -v a="$hp" -v b="$(ticks "$haproxy_pid")" -v t="$TCK" 'BEGIN{printf "%.1f", (b-a)/t}')
  rd=$(awk -v a="$rd" -v b="$(ticks "$redis_pid")" -v t="$TCK" 'BEGIN{printf "%.1f", (b-a)/t}')
  st1=$(backend_stats)
  say "#   $label: $(awk -v a="$s0" -v b="$s1" 'BEGIN{printf "%.0f", b-a}') s wall, CPU seconds: server(s) $sv, haproxy $hp, redis $rd; Redis commands per request $(awk -v c="$(( $(redis_cmds) - c0 ))" -v r="$(( $(ha_total) - h0 ))" 'BEGIN{printf "%.2f", r ? c/r : 0}'); HAProxy requests/2xx/other by process: before [$st0] after [$st1]"
}

say "# bench/redis.sh $([ "$SMOKE" = 1 ] && echo --smoke) -d $DUR, $(date -u +%F), Redis $MCP_REDIS_URL prefix $PREFIX, $(haproxy -v | head -1 | cut -d' ' -f1-3)"
flush
server mem "$MEM" memory; mem_pid=$last
server redis-a "$A" redis; a_pid=$last
server redis-b "$B" redis; b_pid=$last
haproxy_start

say "## check: consecutive requests of one session through HAProxy (process that answered each)"
say "redis:  $(client alternate "$HA")"
say "memory: $(client alternate "$HA_MEM")"

say "## 1. stateful tools/call add(1,2) in one session, c=${CONNS// //}: memory (1 process) vs redis (2 processes)"
REPS=$([ "$SMOKE" = 1 ] && echo 1 || echo 2)
for round in $(seq "$REPS"); do
  say "# round $round"
  bench memory-1proc "$HA_MEM" "$mem_pid" -- -c "$CONNS"
  bench redis-2proc "$HA" "$a_pid" "$b_pid" -- -c "$CONNS"
done

say "## 2. session lifecycles/s (initialize, initialized, call, DELETE), c=${LC_CONNS// //}"
bench memory-1proc "$HA_MEM" "$mem_pid" -- -c "" --lifecycle --lc-conns "$LC_CONNS"
bench redis-2proc "$HA" "$a_pid" "$b_pid" -- -c "" --lifecycle --lc-conns "$LC_CONNS"
say "# Redis keys under $PREFIX after the lifecycles: $(rcli --scan --pattern "$PREFIX:*" | wc -l) (ZCARD sessions $(rcli zcard "$PREFIX:sessions"))"
stop_all

say "## 3. $SESSIONS idle sessions through the two Redis processes (fresh processes, prefix flushed)"
flush
server redis-a "$A" redis; a_pid=$last
server redis-b "$B" redis; b_pid=$last
haproxy_start
sleep 2
mem0=$(rcli info memory | awk -F: '/^used_memory:/{print $2+0}')
ra0=$(rss_kb "$a_pid") rb0=$(rss_kb "$b_pid")
out=$(nice -n -10 taskset -c 1 python3 "$work/client.py" sessions "$HA" "$SESSIONS")
say "$out"
first=$(sed -E 's/.* first=([^ ]*) .*/\1/' <<<"$out")
sleep 3
mem1=$(rcli info memory | awk -F: '/^used_memory:/{print $2+0}')
ra1=$(rss_kb "$a_pid") rb1=$(rss_kb "$b_pid")
held=$(rcli zcard "$PREFIX:sessions")
keys=$(rcli --scan --pattern "$PREFIX:session:*" | wc -l)
sample=$(rcli --scan --pattern "$PREFIX:session:*" | awk 'NR <= 100' | while read -r k; do rcli memory usage "$k" samples 0 </dev/null; done |
  awk '{s+=$1; n++} END{if (n) printf "%.0f", s/n}')
zset=$(rcli memory usage "$PREFIX:sessions" samples 0)
say "redis used_memory before=$mem0 after=$mem1: $(( (mem1 - mem0) / SESSIONS )) bytes per session; ZCARD $PREFIX:sessions=$held, session keys=$keys; MEMORY USAGE: a session's hash $sample bytes (mean of 100), the sorted set $((zset / SESSIONS)) bytes per session"
say "process RSS (kB) a: $ra0 -> $ra1, b: $rb0 -> $rb1: $(awk -v a="$((ra1 - ra0))" -v b="$((rb1 - rb0))" -v n="$SESSIONS" \
  'BEGIN{printf "%.2f MB per 1,000 sessions on a, %.2f on b, %.2f together", a/1024/n*1000, b/1024/n*1000, (a+b)/1024/n*1000}')"
say "the first session ($first), at the end: $(client call "$HA" "$first")"
[ "$held" = "$SESSIONS" ] || say "# WARNING: Redis holds $held sessions, not $SESSIONS"
say "# HAProxy requests/2xx/other by process: $(backend_stats)"
stop_all
flush

say "## 4. one tool-list change to $STREAMS listen streams ($ROUNDS rounds): one soak server in memory, then two on Redis"
server soak-memory "$A" memory soak-server stateless
python3 "$root/bench/soak.py" --server-pid "$last" --port "$A" --streams "$STREAMS" --rounds "$ROUNDS" 2>&1 | tee -a "$results"
stop_all
server soak-redis-a "$A" redis soak-server stateless; a_pid=$last
server soak-redis-b "$B" redis soak-server stateless; b_pid=$last
python3 "$root/bench/soak.py" --server-pid "$a_pid" --port "$A" --port2 "$B" --server-pid2 "$b_pid" \
  --streams "$STREAMS" --rounds "$ROUNDS" 2>&1 | tee -a "$results"
stop_all
flush

say "## summary: redis-2proc / memory-1proc"
python3 - "$results" <<'PY' | tee -a "$results"
import re, statistics, sys
rps = {}  # (label, c) -> [per round]
for line in open(sys.argv[1]):
    m = re.match(r"(memory-1proc|redis-2proc) mode=stateful c=(\d+) rps=(\d+)", line)
    if m:
        rps.setdefault((m[1], int(m[2])), []).append(int(m[3]))
    m = re.match(r"(memory-1proc|redis-2proc) lifecycle c=(\d+) .*cycles_per_s=([\d.]+)", line)
    if m:
        rps.setdefault((m[1] + "-lifecycle", int(m[2])), []).append(float(m[3]))
for kind in ("", "-lifecycle"):
    for c in sorted({c for (l, c) in rps if l.endswith(kind or "proc")}):
        mem, red = rps.get(("memory-1proc" + kind, c), []), rps.get(("redis-2proc" + kind, c), [])
        ratios = [r / m for m, r in zip(mem, red) if m]
        if ratios:
            print(f"{'lifecycles/s' if kind else 'tools/call rps'} c={c}: memory {mem}, redis {red}: "
                  f"ratio per round {[round(r, 2) for r in ratios]}, median {statistics.median(ratios):.2f}x")
PY
say "# results in $results"
[ "$SMOKE" = 1 ] && echo "redis smoke: every item ran"
exit 0
