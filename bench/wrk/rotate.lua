-- rotate.lua: a wrk script that puts a different signed-in user on each request, going round the users
-- (each thread starts at another offset). Two modes, chosen by the environment:
--   COOKIES=<file>      GET WRK_PATH with the Cookie header of the next line of the file (one Cookie
--                       header value per line: the session cookie, or several cookies joined by "; ");
--   SIGN_IN_USERS=<n>   POST /api/auth/sign-in/email with the next of users 1..n: {"email": WRK_EMAIL
--                       (a printf format of the user's number), "password": WRK_PASSWORD}, and an Origin
--                       header of WRK_ORIGIN.
-- When wrk is done it prints one line that lib.sh reads:
--   RESULT <requests> <seconds> <req/s> <p50 µs> <p99 µs> <socket errors> <non-2xx>
local path = os.getenv("WRK_PATH") or "/"
local signInUsers = tonumber(os.getenv("SIGN_IN_USERS") or "")
local email, password, origin = os.getenv("WRK_EMAIL"), os.getenv("WRK_PASSWORD"), os.getenv("WRK_ORIGIN")
local cookies = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  if signInUsers then
    counter = (id * 7919) % signInUsers
    return
  end
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
  if signInUsers then
    local body = string.format('{"email":"%s","password":"%s"}', string.format(email, (counter % signInUsers) + 1), password)
    return wrk.format("POST", "/api/auth/sign-in/email", { ["Content-Type"] = "application/json", ["Origin"] = origin }, body)
  end
  return wrk.format("GET", path, { ["Cookie"] = cookies[(counter % #cookies) + 1] })
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT %d %.2f %.1f %d %d %d %d\n", summary.requests, seconds,
    summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
