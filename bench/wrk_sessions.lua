-- wrk script: each request carries the session cookie of a different resident, taken in turn
-- from the file named by BENCH_COOKIES_FILE (one "name=value" per line).
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

-- the JSON summary with p95 on exit: wrk_report.lua's (its Cookie header stays unset here)
dofile(os.getenv("BENCH_REPORT_LUA"))
