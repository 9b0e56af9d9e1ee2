-- POST /api/auth/token (OAuth2 password form) with the bench user's credentials: one bcrypt
-- verification per request at the service's cost.
local common = require("common")
local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "username=" .. urlencode(os.getenv("BENCH_EMAIL") or "")
  .. "&password=" .. urlencode(os.getenv("BENCH_PASSWORD") or "")
done = common.done
