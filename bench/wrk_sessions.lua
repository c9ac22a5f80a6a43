-- wrk script: each request carries the session cookie of a different resident, taken in turn
-- from the file named by BENCH_COOKIES_FILE (one "name=value" per line); JSON summary with
-- p95 on exit (as wrk_report.lua).
local cookies = {}
local path = os.getenv("BENCH_COOKIES_FILE")
for line in io.lines(path) do
  if line ~= "" then cookies[#cookies + 1] = line end
end
local counter = 0

request = function()
  counter = counter + 1
  local cookie = cookies[(counter % #cookies) + 1]
  return wrk.format("GET", nil, { ["Cookie"] = cookie, ["Accept"] = os.getenv("BENCH_ACCEPT") or "*/*" })
end

init = function(args)
  -- threads start at different places in the list
  counter = math.random(1, #cookies)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "errors": %d, '
      .. '"non_2xx": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, seconds, summary.requests / seconds, errors, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
