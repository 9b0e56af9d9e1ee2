#include "app/routes.hpp"

#include <map>
#include <stdexcept>
#include <string>

#include "app/context.hpp"

namespace carat::app {

namespace {

std::map<std::string, RouteTableFactory>& registry() {
  static std::map<std::string, RouteTableFactory> tables;
  return tables;
}

}  // namespace

bool register_routes(std::string_view resource, RouteTableFactory table) {
  if (!registry().emplace(std::string(resource), table).second) {
    throw std::logic_error("route table registered twice: " + std::string(resource));
  }
  return true;
}

std::vector<Endpoint> registered_endpoints() {
  std::vector<Endpoint> all;
  for (const auto& [resource, table] : registry()) {
    for (auto& e : table()) all.push_back(std::move(e));
  }
  return all;
}

http::Router build_router(App& app) {
  const auto endpoints = registered_endpoints();
  if (endpoints.empty()) {
    // The handler objects were not linked in (see the header): fail at start, not with 404s.
    throw std::logic_error("no routes registered");
  }
  http::Router router;
  for (const auto& e : endpoints) {
    router.add(
        http::Route{std::string(e.pattern), std::string(e.method),
                    [&app, handler = e.handler, json = e.options.json_body](http::Request& req) {
                      RequestContext ctx(app, req);
                      if (json) ctx.check_json_syntax();
                      return handler(ctx);
                    },
                    e.options.body_limit,
                    e.options.on_io_thread ? http::Execution::kInline : http::Execution::kWorker,
                    e.options.token_before_body});
  }
  return router;
}

}  // namespace carat::app
