-- wrk script of bench/load.sh --lifecycle: whole 2025-era sessions, one after another on each
-- connection: POST initialize, POST notifications/initialized, POST tools/call add(1, 2), DELETE.
-- Run it with as many threads as connections (-tN -cN): each thread then drives one connection,
-- and wrk asks for its next request only once the previous response is in.
-- Env: MCP_PROTO (default 2025-06-18), MCP_PATH (the endpoint's path, default /mcp).
-- Prints one RESULT line: whole cycles per second over all threads, HTTP requests per second,
-- latency percentiles (ms), and the count of bad replies, initializes without a session id and
-- socket errors.
local proto = os.getenv("MCP_PROTO") or "2025-06-18"
local path = os.getenv("MCP_PATH") or "/mcp"
local bodies = {
  '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"' .. proto
    .. '","capabilities":{},"clientInfo":{"name":"bench","version":"1.0"}}}',
  '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}',
}

local all = {}
setup = function(thread) all[#all + 1] = thread end

-- per thread (each has its own Lua state)
init = function(_)
  stage, session, cycles, bad, nosid = 1, nil, 0, 0, 0
end

local function headers()
  local h = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json, text/event-stream",
    ["MCP-Protocol-Version"] = proto,
  }
  if session then h["Mcp-Session-Id"] = session end
  return h
end

request = function()
  if stage == 4 then return wrk.format("DELETE", path, headers(), nil) end
  if stage == 1 then session = nil end
  return wrk.format("POST", path, headers(), bodies[stage])
end

response = function(status, hdrs, body)
  if status >= 300 then bad = bad + 1 end
  if stage == 1 then
    for name, value in pairs(hdrs) do
      if string.lower(name) == "mcp-session-id" then session = value end
    end
    if not session then
      nosid = nosid + 1
      return -- initialize again
    end
  elseif stage == 3 and not string.find(body, '"3"', 1, true) then
    bad = bad + 1
  elseif stage == 4 then
    cycles = cycles + 1
  end
  stage = stage % 4 + 1
end

done = function(summary, latency, _)
  local total = { cycles = 0, bad = 0, nosid = 0 }
  for _, thread in ipairs(all) do
    for key in pairs(total) do total[key] = total[key] + thread:get(key) end
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT cycles=%d secs=%.3f cycles_per_s=%.1f http_rps=%.1f p50_ms=%.3f p99_ms=%.3f bad=%d nosid=%d sock_err=%d\n",
    total.cycles, seconds, total.cycles / seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, total.bad, total.nosid,
    e.connect + e.read + e.write + e.timeout))
end
