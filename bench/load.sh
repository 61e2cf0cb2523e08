#!/usr/bin/env bash
# bench/load.sh URL [options]: load-tests an MCP server's tools/call add(1, 2) with wrk over
# loopback (bench/lua/call.lua), at one or more concurrencies, and prints one line per step:
#   LABEL mode=stateless|stateful c=N rps= p50_ms= p90_ms= p99_ms= max_ms= errors=
#         srv_cpu=% (of one core, the server process) wrk_cpu=% (the load generator)
#         foreign_cpu=% (every other process during the step: if high, distrust the step)
#         rss_mb= (the server's resident memory after the step)
# then `LABEL mode=M peak_rss_mb=...`, and the lifecycle and idle-session lines asked for.
# Lines starting with # are context (the setup; `# WARNING` when connections stalled).
#
# Options:
#   --stateful          initialize once (and send notifications/initialized) and make every
#                       request in that one session (Mcp-Session-Id), each with its own id
#   --lifecycle         also measure whole sessions per second (bench/lua/lifecycle.lua:
#                       initialize, initialized, tools/call, DELETE), at --lc-conns
#   --sessions "N1 N2"  then open idle sessions up to N1, then N2 (in total), and print the
#                       server's memory growth per 1,000 sessions (they stay open: run it last)
#   -c "1 16 64"        tools/call concurrencies ("" for none); -d 10 measured seconds a step;
#   -w 3                warm-up seconds before each step; --lc-conns "1 16" lifecycle concurrencies
#   --pid PID           the server process (default: the one listening on the URL's port)
#   --label NAME        the first word of each line (default HOST:PORT)
# Environment: MCP_PROTO (MCP-Protocol-Version, default 2025-06-18); LOADGEN_CPUS (CPUs wrk
# runs on, default 1; empty: no pinning); LOADGEN_NICE (default -10: start the server with the
# same priority, pinned to another CPU: nice -n -10 taskset -c 0 SERVER); QUIET_WAIT, QUIET_PCT
# (before each step, wait up to QUIET_WAIT s, default 120, for the machine to be less than
# QUIET_PCT %, default 15, of one core busy).
# Needs wrk, curl, ss, taskset, python3 (for --sessions).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
url=$1
shift
stateful=0 lifecycle=0 sessions="" conns="1 16 64" duration=10 warmup=3 lc_conns="1 16" pid="" label=""
while [ $# -gt 0 ]; do
  case $1 in
    --stateful) stateful=1 ;;
    --lifecycle) lifecycle=1 ;;
    --sessions) sessions=$2; shift ;;
    -c) conns=$2; shift ;;
    -d) duration=$2; shift ;;
    -w) warmup=$2; shift ;;
    --lc-conns) lc_conns=$2; shift ;;
    --pid) pid=$2; shift ;;
    --label) label=$2; shift ;;
    -h | --help) usage ;;
    *) echo "load.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "load.sh: wrk not found (apt-get install wrk)" >&2; exit 1; }

export MCP_PROTO=${MCP_PROTO:-2025-06-18}
authority=${url#*://}
authority=${authority%%/*}
port=${authority##*:}
path=/${url#*://*/}
[ "$path" = "/$url" ] && path=/
export MCP_PATH=$path
label=${label:-$authority}
mode=stateless
[ "$stateful" = 1 ] && mode=stateful
loadgen=(nice -n "${LOADGEN_NICE:--10}")
cpus=${LOADGEN_CPUS-1}
[ -n "$cpus" ] && loadgen+=(taskset -c "$cpus")

# --- the server process: CPU ticks and memory ------------------------------------------------
if [ -z "$pid" ]; then
  pid=$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
fi
if [ -z "$pid" ] || [ ! -r "/proc/$pid/stat" ]; then
  echo "load.sh: warning: the server's PID is unknown (--pid): no CPU or memory figures" >&2
  pid=""
fi
hz=$(getconf CLK_TCK)
server_ticks() { if [ -n "$pid" ]; then awk '{print $14 + $15}' "/proc/$pid/stat"; else echo 0; fi; }
server_kb() { if [ -n "$pid" ]; then awk -v key="$1:" '$1 == key {print $2}' "/proc/$pid/status"; else echo 0; fi; }
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f", kb / 1024}'; }
# Busy ticks of the whole machine (user, nice, system, irq, softirq, steal).
machine_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
calc() { awk "BEGIN {printf \"%.0f\", $1}"; }

wait_until_quiet() {
  local deadline=$((SECONDS + ${QUIET_WAIT:-120})) before after busy
  while true; do
    before=$(machine_ticks)
    sleep 2
    after=$(machine_ticks)
    busy=$(((after - before) * 100 / hz / 2))
    [ "$busy" -lt "${QUIET_PCT:-15}" ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "# warning: the machine is still ${busy}% of a core busy after ${QUIET_WAIT:-120} s" >&2
      return 0
    fi
  done
}

# measure SCRIPT THREADS CONNS: a warm-up, then the measured wrk run. Sets: result (its RESULT
# line), out (all its output), server_cpu, wrk_cpu, foreign_cpu (percent of one core).
measure() {
  local script=$here/lua/$1 threads=$2 c=$3 times t0 t1 m0 m1 s0 s1 wrk_s srv_s
  wait_until_quiet
  [ "$warmup" != 0 ] && "${loadgen[@]}" wrk -t"$threads" -c"$c" -d"${warmup}s" -s "$script" "$url" >/dev/null 2>&1
  times=$(mktemp)
  t0=$(server_ticks) m0=$(machine_ticks) s0=$(date +%s.%N)
  out=$( { TIMEFORMAT='%U %S'; time "${loadgen[@]}" wrk -t"$threads" -c"$c" -d"${duration}s" --timeout 5s \
    -s "$script" "$url" 2>/dev/null; } 2>"$times")
  t1=$(server_ticks) m1=$(machine_ticks) s1=$(date +%s.%N)
  wrk_s=$(awk '{print $1 + $2}' "$times")
  rm -f "$times"
  result=$(grep '^RESULT' <<<"$out") || { echo "$out" >&2; echo "load.sh: wrk printed no result" >&2; exit 1; }
  srv_s=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN {print (b - a) / hz}')
  local wall
  wall=$(awk -v a="$s0" -v b="$s1" 'BEGIN {print b - a}')
  server_cpu=$(calc "$srv_s / $wall * 100")
  wrk_cpu=$(calc "$wrk_s / $wall * 100")
  foreign_cpu=$(calc "(($m1 - $m0) / $hz - $srv_s - $wrk_s) / $wall * 100")
  [ "$foreign_cpu" -gt 0 ] || foreign_cpu=0
}

# --- set up: the session, and one checked call -------------------------------------------
headers=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream'
  -H "MCP-Protocol-Version: $MCP_PROTO")
post() { curl -s --max-time 10 "${headers[@]}" "$@" "$url"; }
export MCP_SESSION_ID="" MCP_UNIQUE_IDS=0
if [ "$stateful" = 1 ]; then
  MCP_UNIQUE_IDS=1
  initialize='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"'$MCP_PROTO'","capabilities":{},"clientInfo":{"name":"bench","version":"1.0"}}}'
  MCP_SESSION_ID=$(post -D - -o /dev/null -d "$initialize" | tr -d '\r' |
    awk 'tolower($1) == "mcp-session-id:" {print $2}')
  [ -n "$MCP_SESSION_ID" ] || { echo "load.sh: initialize at $url gave no Mcp-Session-Id" >&2; exit 1; }
  headers+=(-H "Mcp-Session-Id: $MCP_SESSION_ID")
  post -o /dev/null -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
fi
reply=$(post -D - -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}' | tr -d '\r')
if ! grep -Eq '"text" *: *"3"' <<<"$reply"; then
  printf 'load.sh: tools/call add(1, 2) at %s did not answer "3":\n%s\n' "$url" "$reply" >&2
  exit 1
fi
content_type=$(awk 'tolower($1) == "content-type:" {print $2; exit}' <<<"$reply")
echo "# $label mode=$mode url=$url pid=${pid:-?} reply_content_type=\"$content_type\" dur=${duration}s warm=${warmup}s loadgen_cpus=${cpus:-none} rss0_mb=$(mb "$(server_kb VmRSS)")"

# --- tools/call at each concurrency -------------------------------------------------------------
for c in $conns; do
  measure call.lua 1 "$c"
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' <<<"$out")
  awk -v label="$label" -v mode="$mode" -v c="$c" -v non2xx="${non2xx:-0}" -v srv="$server_cpu" \
      -v wrk="$wrk_cpu" -v foreign="$foreign_cpu" -v rss="$(mb "$(server_kb VmRSS)")" '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
    errors = r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"] + non2xx
    printf "%s mode=%s c=%d rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.1f errors=%d srv_cpu=%s%% wrk_cpu=%s%% foreign_cpu=%s%% rss_mb=%s\n",
      label, mode, c, r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"], errors, srv, wrk, foreign, rss
    # requests in flight = rate x mean latency (Little): far fewer than c means some
    # connections waited for replies that never came
    in_flight = r["rps"] * r["mean_ms"] / 1000
    if (in_flight < 0.8 * c)
      printf "# WARNING c=%d but only %.1f requests in flight on average: some connections got no reply (stalled)\n", c, in_flight
  }' <<<"$result"
done
echo "$label mode=$mode peak_rss_mb=$(mb "$(server_kb VmHWM)") (VmHWM of pid ${pid:-?} since its start)"

# --- whole sessions per second -------------------------------------------------------------------
if [ "$lifecycle" = 1 ]; then
  for c in $lc_conns; do
    measure lifecycle.lua "$c" "$c"
    echo "$label lifecycle c=$c ${result#RESULT } srv_cpu=${server_cpu}% foreign_cpu=${foreign_cpu}% rss_mb=$(mb "$(server_kb VmRSS)")"
  done
fi

# --- memory per idle session ---------------------------------------------------------------------
if [ -n "$sessions" ]; then
  [ -n "$pid" ] || { echo "load.sh: --sessions needs the server's PID" >&2; exit 1; }
  sleep 2
  rss0=$(server_kb VmRSS) opened=0
  for n in $sessions; do
    report=$("${loadgen[@]}" python3 "$here/sessions.py" "$url" $((n - opened)) --proto "$MCP_PROTO")
    opened=$n
    sleep 2
    rss1=$(server_kb VmRSS)
    echo "$label idle_sessions=$n rss_before_mb=$(mb "$rss0") rss_after_mb=$(mb "$rss1") per_1000_sessions_mb=$(awk -v a="$rss0" -v b="$rss1" -v n="$n" 'BEGIN {printf "%.2f", (b - a) / 1024 / n * 1000}') [$report]"
  done
fi
