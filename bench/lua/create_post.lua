-- POST /api/posts as the bench user: a short public post filed under #art.
local common = require("common")
common.auth_headers()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"body":"bench post #art","visibility":"public"}'
done = common.done
