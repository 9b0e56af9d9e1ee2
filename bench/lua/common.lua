-- Shared helpers of the wrk scripts (loaded with require; bench/run.sh sets LUA_PATH).
--
-- Environment (set by bench/run.sh):
--   BENCH_TOKEN     bearer token of the bench user (scripts that act as a member)
--   BENCH_POST_IDS  comma-separated ids of published public posts
--   BENCH_EMAIL, BENCH_PASSWORD  the bench user's credentials (token script)
--   BENCH_DELAY_MS  pause between two requests of one connection (paced script)
local M = {}

-- Every wrk thread has its own Lua state: number them so each seeds its own random sequence.
local counter = 0
function M.setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function M.init_random()
  math.randomseed(4242 + 7919 * (thread_id or 0))
end

function M.auth_headers()
  local token = os.getenv("BENCH_TOKEN")
  if token == nil or token == "" then
    error("BENCH_TOKEN is not set")
  end
  wrk.headers["Authorization"] = "Bearer " .. token
end

function M.post_ids()
  local ids = {}
  for id in string.gmatch(os.getenv("BENCH_POST_IDS") or "", "%d+") do
    ids[#ids + 1] = id
  end
  if #ids == 0 then
    error("BENCH_POST_IDS is not set")
  end
  return ids
end

-- wrk's summary as one JSON line, prefixed so bench/run.sh can find it among wrk's own text.
-- Latencies in microseconds; errors.status counts responses with a status of 400 or more.
function M.done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_s":%.3f,"rps":%.2f,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"mean":%.1f,"stdev":%.1f,"min":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, secs, summary.requests / secs, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.min,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end

return M
