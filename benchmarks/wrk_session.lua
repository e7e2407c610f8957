-- wrk script for `make bench`: sends the signed-in session (BENCH_COOKIE) and counts answers other than 200,
-- then prints one machine-readable line that benchmarks/bench.py parses.
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

-- As every browser does; without it each page would be measured at its uncompressed size.
wrk.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not_ok = 0
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local total_not_ok = 0
  for _, thread in ipairs(threads) do
    total_not_ok = total_not_ok + thread:get("not_ok")
  end
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f p50=%.3f p90=%.3f p99=%.3f not_ok=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, total_not_ok, socket_errors))
end
