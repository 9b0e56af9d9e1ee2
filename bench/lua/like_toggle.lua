-- POST /api/posts/{id}/like as the bench user on random published public posts (each request
-- toggles: like, then unlike the next time the same post comes up).
local common = require("common")
common.auth_headers()
local ids = common.post_ids()
setup = common.setup
function init()
  common.init_random()
end
function request()
  return wrk.format("POST", "/api/posts/" .. ids[math.random(#ids)] .. "/like")
end
done = common.done
