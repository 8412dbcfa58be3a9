-- wrk script: sends the requests api_presign wrote, each once, spread over
-- wrk's threads (a signature used twice would be refused as a replay).
-- Counts answers by status so the run shows refusals instead of hiding them.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  local file = io.open(args[1], "r")
  local index = 0
  for line in file:lines() do
    if index % tonumber(args[2]) == id then
      local method, path, key, time, sig, body = line:match("^(%S+)\t(%S+)\t(%S+)\t(%S+)\t(%S+)\t(.*)$")
      table.insert(requests, wrk.format(method, path, {
        ["X-Cohours-Key"] = key, ["X-Cohours-Time"] = time, ["X-Cohours-Signature"] = sig,
        ["Content-Type"] = "application/json"}, body ~= "" and body or nil))
    end
    index = index + 1
  end
  file:close()
  next_request = 1
  statuses = {}
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for status, n in pairs(s) do io.write(string.format("status %d: %d\n", status, n)) end
  end
  io.write(string.format("p50_ms %.3f\np99_ms %.3f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
