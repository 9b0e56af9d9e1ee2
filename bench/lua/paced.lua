-- A fixed GET with a pause of BENCH_DELAY_MS between two requests of one connection: a moderate
-- request rate (wrk measures latency from send to answer, the pause is not counted).
local common = require("common")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "10")
function delay()
  return delay_ms
end
done = common.done
