-- wrk script for bench/gateway.py: every request is a distinct, pre-signed WeChat callback read
-- from req_<thread>.txt (one "path<TAB>body" line each), so no two requests share a MsgId.
-- The response tally tells passive replies (an XML body) from "success"/empty (late or a
-- duplicate) and from errors.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local dir = args[1] or "."
  requests, paths, i = {}, {}, 0
  passive, nothing, errors, wrapped = 0, 0, 0, 0
  for line in io.lines(dir .. "/req_" .. id .. ".txt") do
    local tab = line:find("\t", 1, true)
    table.insert(paths, line:sub(1, tab - 1))
    table.insert(requests, line:sub(tab + 1))
  end
end

function request()
  i = i + 1
  if i > #requests then i = 1; wrapped = wrapped + 1 end
  return wrk.format("POST", paths[i], {["Content-Type"] = "text/xml"}, requests[i])
end

function response(status, headers, body)
  if status ~= 200 then errors = errors + 1
  elseif body:find("<xml>", 1, true) then passive = passive + 1
  else nothing = nothing + 1 end
end

function done(summary, latency, requests)
  local p, n, e, w = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    p = p + t:get("passive"); n = n + t:get("nothing")
    e = e + t:get("errors"); w = w + t:get("wrapped")
  end
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f p50_us=%d p99_us=%d passive=%d nothing=%d errors=%d " ..
    "wrapped=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    p, n, e, w, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
