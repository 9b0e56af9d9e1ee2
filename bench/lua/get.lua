-- A fixed GET (the URL's path and query); as the bench user when BENCH_AUTH=1.
local common = require("common")
if os.getenv("BENCH_AUTH") == "1" then
  common.auth_headers()
end
done = common.done
