-- rotate.lua: a wrk script that sends GET <path> with the Cookie header of a different signed-in user on
-- each request, going round the users in COOKIES (a file, one Cookie header value per line; each thread
-- starts at another offset). When wrk is done it prints one line that run.sh reads:
--   RESULT <requests> <seconds> <req/s> <p50 µs> <p99 µs> <socket errors> <non-2xx>
local path = os.getenv("WRK_PATH") or "/"
local cookies = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("COOKIES")) do
    if line ~= "" then
      cookies[#cookies + 1] = line
    end
  end
  if #cookies == 0 then
    error("no cookies in " .. tostring(os.getenv("COOKIES")))
  end
  counter = (id * 7919) % #cookies
end

function request()
  counter = counter + 1
  return wrk.format("GET", path, { ["Cookie"] = cookies[(counter % #cookies) + 1] })
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT %d %.2f %.1f %d %d %d %d\n", summary.requests, seconds,
    summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
