-- wrk script of bench/load.sh: POST tools/call add(1, 2) again and again.
-- Env: MCP_PROTO (the MCP-Protocol-Version header, default 2025-06-18), MCP_SESSION_ID (sent as
-- Mcp-Session-Id when set), MCP_UNIQUE_IDS=1 (a new JSON-RPC id on every request, as requests
-- inside one session need; otherwise one pre-built request is sent over and over).
-- Prints one RESULT line of key=value pairs (times in milliseconds).
local before = '{"jsonrpc":"2.0","id":'
local after = ',"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'

wrk.method = "POST"
wrk.body = before .. "1" .. after
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = os.getenv("MCP_PROTO") or "2025-06-18"
local session = os.getenv("MCP_SESSION_ID")
if session ~= nil and session ~= "" then
  wrk.headers["Mcp-Session-Id"] = session
end

if os.getenv("MCP_UNIQUE_IDS") == "1" then
  local next_id = 0
  request = function()
    next_id = next_id + 1
    return wrk.format(nil, nil, nil, before .. next_id .. after)
  end
end

local function ms(us) return us / 1000 end

done = function(summary, latency, _)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d secs=%.3f rps=%.1f mean_ms=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
      .. "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests, seconds, summary.requests / seconds, ms(latency.mean),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
