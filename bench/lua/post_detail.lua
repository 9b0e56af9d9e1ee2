-- GET /api/posts/{id} (anonymous) on random published public posts.
local common = require("common")
local ids = common.post_ids()
setup = common.setup
function init()
  common.init_random()
end
function request()
  return wrk.format("GET", "/api/posts/" .. ids[math.random(#ids)])
end
done = common.done
