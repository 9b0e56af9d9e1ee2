// Path routing with the contract's rules (api.md §1.9): every route answers with and without a
// trailing slash, literal segments win over parameters, HEAD follows GET, 405 lists Allow.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace carat::http {

// What a route runs. The application adapts its own handler signature to this one (app/routes.cpp):
// this layer knows requests and responses, nothing above them.
using Handler = std::function<Response(Request&)>;

inline constexpr size_t kDefaultBodyLimit = 1024 * 1024;  // 1 MiB (api.md §1.4)

enum class Execution {
  kInline,  // cheap, no I/O: answered on the I/O thread (liveness, CORS, static docs)
  kWorker,  // may block on the database or storage: runs on the handler pool
};

struct Route {
  std::string pattern;  // "/api/posts/{post_id}", also the metrics label
  std::string method;   // "GET", "POST", ...
  Handler handler;
  size_t body_limit = kDefaultBodyLimit;
  Execution execution = Execution::kWorker;
  // The route needs a bearer token: the application may refuse a missing or invalid one from the
  // header alone, before the body is read (uploads of megabytes).
  bool token_before_body = false;
  // The names of the pattern's parameters in order ("post_id"), filled by Router::add.
  std::vector<std::string> param_names = {};
};

struct MatchResult {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
  const Route* route = nullptr;
  std::vector<std::string> params;
  std::string allow;  // for 405: "GET, HEAD, POST"
};

class Router {
 public:
  void add(Route route);
  // `method` is the request method; HEAD matches GET routes.
  MatchResult match(std::string_view method, std::string_view raw_path) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  struct Compiled {
    const Route* route;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    // Specificity: 1 for a literal segment, 0 for a parameter; compared lexicographically, so
    // the position of the first parameter decides (later is more literal).
    std::vector<int> rank;
  };
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<Compiled> compiled_;
};

// Splits a raw path into percent-decoded segments; a single trailing slash is ignored.
// Returns false when a segment cannot be decoded (answered as 404).
bool split_path(std::string_view raw_path, std::vector<std::string>& out);

}  // namespace carat::http
