// Route tables. Each resource declares its endpoints in a table beside its handlers
// (handlers/<resource>.cpp) and registers that table with one line there; nothing else lists
// routes. `carat serve` builds the HTTP router from every registered table.
//
//   std::vector<app::Endpoint> routes() {
//     return {{"GET", "/api/posts/{post_id}", get_post},
//             {"PUT", "/api/posts/{post_id}", update_post, {.json_body = true}}};
//   }
//   [[maybe_unused]] const bool kRegistered = app::register_routes("posts", &routes);
//
// Registration runs during static initialisation (as GoogleTest's TEST does), so the handler
// objects must be linked into the executable as an OBJECT library (carat_handlers), never
// through a static archive that would drop them.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "http/router.hpp"

namespace carat {
class RequestContext;
struct App;
}  // namespace carat

namespace carat::app {

using Handler = std::function<http::Response(RequestContext&)>;

struct EndpointOptions {
  // The body is JSON: broken syntax answers 422 before authentication (api.md §1.5.2 step 4);
  // its shape is validated by the handler after authentication.
  bool json_body = false;
  size_t body_limit = http::kDefaultBodyLimit;
  // Cheap and never blocking (liveness, static documents): answered on the I/O thread instead
  // of the handler pool.
  bool on_io_thread = false;
  // Requires a member: a missing or invalid token is answered 401 from the headers, before the
  // body is read (a 10 MiB upload is not buffered for a caller who cannot send it).
  bool token_before_body = false;
};

struct Endpoint {
  std::string_view method;
  std::string_view pattern;
  Handler handler;
  EndpointOptions options = {};
};

using RouteTableFactory = std::vector<Endpoint> (*)();

// Records a resource's table; the factory runs when a router is built. Returns true (for the
// registering constant).
bool register_routes(std::string_view resource, RouteTableFactory table);

// Every registered endpoint, resources in name order.
std::vector<Endpoint> registered_endpoints();

// The router of every registered endpoint; each handler runs with a RequestContext on `app`.
http::Router build_router(App& app);

}  // namespace carat::app
