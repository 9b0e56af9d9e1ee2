// Helpers shared by the handlers.
#pragma once

#include "app/context.hpp"
#include "http/errors.hpp"
#include "http/router.hpp"
#include "util/json_writer.hpp"

namespace carat::handlers {

inline http::Response ok(JsonWriter& w) { return http::Response::json(w.take()); }

// A JSON array of `rows` items, item r written by write_row(w, r).
template <class WriteRow>
http::Response array_response(size_t rows, WriteRow write_row) {
  JsonWriter w;
  w.begin_array();
  for (size_t r = 0; r < rows; ++r) write_row(w, r);
  w.end_array();
  return ok(w);
}

inline http::Response message(std::string_view text) {
  JsonWriter w;
  w.begin_object().field("message", text).end_object();
  return ok(w);
}

// Registers `handler` for `method` and `pattern` on the handler pool.
inline void route(http::Router& r, const char* method, const char* pattern, http::Handler handler,
                  size_t body_limit = http::kDefaultBodyLimit) {
  r.add(http::Route{pattern, method, std::move(handler), body_limit, http::Execution::kWorker});
}

// Registers a handler whose body is JSON: broken JSON is answered 422 before authentication,
// everything else about the body is validated by the handler after authentication.
inline void json_route(http::Router& r, const char* method, const char* pattern,
                       http::Handler handler) {
  r.add(http::Route{pattern, method, std::move(handler), http::kDefaultBodyLimit,
                    http::Execution::kWorker, /*json_body=*/true});
}

// Registers a cheap handler answered on the I/O thread (no database, no blocking).
inline void inline_route(http::Router& r, const char* method, const char* pattern,
                         http::Handler handler) {
  r.add(http::Route{pattern, method, std::move(handler), http::kDefaultBodyLimit,
                    http::Execution::kInline});
}

void add_system_routes(http::Router& r);
void add_auth_routes(http::Router& r);
void add_user_routes(http::Router& r);
void add_profile_routes(http::Router& r);
void add_post_routes(http::Router& r);
void add_comment_routes(http::Router& r);
void add_reaction_routes(http::Router& r);
void add_follow_routes(http::Router& r);
void add_notification_routes(http::Router& r);
void add_media_routes(http::Router& r);
void add_docs_routes(http::Router& r);

}  // namespace carat::handlers
