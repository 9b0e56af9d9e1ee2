// Request targets: path splitting and routing (http/router.hpp), query strings
// (http::parse_urlencoded, text::percent_decode), typed query parameters (dto::Validator
// query_int/path_int), integers (text::parse_int64) and the hashtag filter (text::has_hashtag).
//
// Input: "METHOD /path?query" on the first line; the rest is a post body for the hashtag check.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "dto/validate.hpp"
#include "fuzz_common.hpp"
#include "http/form.hpp"
#include "http/router.hpp"
#include "util/strings.hpp"

namespace {

namespace fz = carat::fuzz;
namespace http = carat::http;
namespace text = carat::text;

// The service's routes (the route tables of handlers/*.cpp), as of this target's writing.
const http::Router& router() {
  static const http::Router r = [] {
    http::Router r;
    auto h = [](http::Request&) { return http::Response{}; };
    static const char* const kRoutes[][2] = {
        {"GET", "/"},
        {"GET", "/healthz"},
        {"GET", "/metrics"},
        {"GET", "/api/health"},
        {"GET", "/api/auth/health"},
        {"POST", "/api/auth/register"},
        {"POST", "/api/auth/login"},
        {"POST", "/api/auth/token"},
        {"GET", "/api/auth/me"},
        {"GET", "/api/auth/admin/users"},
        {"GET", "/api/auth/admin/posts"},
        {"GET", "/api/users/me"},
        {"PUT", "/api/users/me"},
        {"GET", "/api/users/{user_id}"},
        {"GET", "/api/profiles/me"},
        {"PUT", "/api/profiles/me"},
        {"GET", "/api/profiles/{handle}"},
        {"GET", "/api/posts"},
        {"POST", "/api/posts"},
        {"GET", "/api/posts/{post_id}"},
        {"PUT", "/api/posts/{post_id}"},
        {"DELETE", "/api/posts/{post_id}"},
        {"POST", "/api/posts/{post_id}/like"},
        {"GET", "/api/posts/{post_id}/comments"},
        {"POST", "/api/posts/{post_id}/comments"},
        {"GET", "/api/categories/{name}/posts"},
        {"GET", "/api/comments"},
        {"POST", "/api/comments"},
        {"PUT", "/api/comments/{comment_id}"},
        {"DELETE", "/api/comments/{comment_id}"},
        {"POST", "/api/reactions"},
        {"DELETE", "/api/reactions/{reaction_id}"},
        {"POST", "/api/follows"},
        {"GET", "/api/follows/followers"},
        {"GET", "/api/follows/following"},
        {"DELETE", "/api/follows/{followee_user_id}"},
        {"GET", "/api/notifications"},
        {"PUT", "/api/notifications/{notification_id}"},
        {"POST", "/api/media/upload"},
        {"GET", "/media/{name}"},
    };
    for (const auto& [method, pattern] : kRoutes) r.add({pattern, method, h});
    return r;
  }();
  return r;
}

bool is_param(const std::string& s) { return s.size() >= 2 && s.front() == '{' && s.back() == '}'; }

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// `-?[0-9]+` within 64 bits, restated with strtoll.
std::optional<int64_t> reference_int64(const std::string& s) {
  size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (size_t k = i; k < s.size(); ++k) {
    if (s[k] < '0' || s[k] > '9') return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno == ERANGE || end != s.c_str() + s.size()) return std::nullopt;
  return static_cast<int64_t>(v);
}

void check_decode(std::string_view s) {
  for (bool plus : {false, true}) {
    const auto d = text::percent_decode(s, plus);
    if (!d) continue;
    FUZZ_CHECK(fz::utf8_ok(*d));
    FUZZ_CHECK(d->size() <= s.size());
    const auto again = text::percent_decode(percent_encode(*d), plus);
    FUZZ_CHECK(again && *again == *d);
    if (s.find('%') == std::string_view::npos && (!plus || s.find('+') == std::string_view::npos)) {
      FUZZ_CHECK(*d == s);
    }
  }
  if (fz::utf8_ok(s)) {
    const auto d = text::percent_decode(percent_encode(s), false);
    FUZZ_CHECK(d && *d == s);
  }
}

void check_int(const std::string& s) {
  const auto got = text::parse_int64(s);
  FUZZ_CHECK(got == reference_int64(s));
  if (got) FUZZ_CHECK(text::parse_int64(std::to_string(*got)) == got);
}

void check_route(std::string_view method, std::string_view path) {
  std::vector<std::string> segments;
  const bool ok = http::split_path(path, segments);
  if (ok) {
    FUZZ_CHECK(!path.empty() && path[0] == '/');
    FUZZ_CHECK(segments.size() <= static_cast<size_t>(std::count(path.begin(), path.end(), '/')));
    for (const auto& s : segments) {
      FUZZ_CHECK(!s.empty() && fz::utf8_ok(s) && !text::contains_nul(s));
    }
  }
  const auto m = router().match(method, path);
  if (!ok) FUZZ_CHECK(m.kind == http::MatchResult::Kind::kNotFound);
  switch (m.kind) {
    case http::MatchResult::Kind::kFound: {
      FUZZ_CHECK(m.route != nullptr);
      FUZZ_CHECK(m.route->method == (method == "HEAD" ? std::string_view("GET") : method));
      std::vector<std::string> pattern;
      FUZZ_CHECK(http::split_path(m.route->pattern, pattern));
      FUZZ_CHECK(pattern.size() == segments.size());
      size_t p = 0;
      std::string rebuilt;
      for (size_t i = 0; i < pattern.size(); ++i) {
        if (is_param(pattern[i])) {
          FUZZ_CHECK(p < m.params.size() && m.params[p] == segments[i]);
          rebuilt += "/" + percent_encode(m.params[p++]);
        } else {
          FUZZ_CHECK(pattern[i] == segments[i]);
          rebuilt += "/" + pattern[i];
        }
      }
      FUZZ_CHECK(p == m.params.size());
      // The canonical spelling of the same path reaches the same route with the same params.
      const auto again = router().match(method, rebuilt.empty() ? "/" : rebuilt);
      FUZZ_CHECK(again.kind == http::MatchResult::Kind::kFound && again.route == m.route &&
                 again.params == m.params);
      // Path parameters that are ids go through path_int like the handlers do.
      for (const auto& param : m.params) {
        carat::dto::Validator v;
        const auto id = v.path_int("id", param);
        FUZZ_CHECK(id.has_value() == v.ok());
        fz::finish(v);
      }
      break;
    }
    case http::MatchResult::Kind::kMethodNotAllowed: {
      FUZZ_CHECK(m.route == nullptr && !m.allow.empty());
      // "GET, HEAD, POST": sorted, never the requested method, HEAD wherever GET is.
      std::vector<std::string> allowed;
      std::string_view rest = m.allow;
      while (!rest.empty()) {
        const size_t comma = rest.find(", ");
        allowed.emplace_back(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
      }
      FUZZ_CHECK(std::is_sorted(allowed.begin(), allowed.end()));
      const std::string want(method == "HEAD" ? std::string_view("GET") : method);
      FUZZ_CHECK(std::find(allowed.begin(), allowed.end(), want) == allowed.end());
      if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) {
        FUZZ_CHECK(std::find(allowed.begin(), allowed.end(), "HEAD") != allowed.end());
      }
      break;
    }
    case http::MatchResult::Kind::kNotFound:
      FUZZ_CHECK(m.route == nullptr && m.params.empty());
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = fz::as_view(data, size);
  std::string_view line = fz::take_until(in, '\n');
  const std::string_view post_body = in;

  std::string_view method = "GET";
  if (const size_t sp = line.find(' '); sp != std::string_view::npos) {
    method = line.substr(0, sp);
    line.remove_prefix(sp + 1);
  }
  const size_t q = line.find('?');
  const std::string_view path = line.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : line.substr(q + 1);

  check_route(method, path);
  check_decode(path);
  check_decode(query);

  const auto fields = http::parse_urlencoded(query);
  for (const auto& f : fields) {
    FUZZ_CHECK(fz::utf8_ok(f.name) && fz::utf8_ok(f.value));
    check_int(f.name);
    check_int(f.value);
    FUZZ_CHECK(http::find_last(fields, f.name) != nullptr);
  }
  // RequestContext::query: the last value of a repeated parameter.
  carat::dto::Validator v;
  for (const char* name : {"limit", "offset", "skip", "page", "user_id", "post_id"}) {
    const auto* f = http::find_last(fields, name);
    std::optional<std::string> raw;
    if (f) raw = f->value;
    const auto n = v.query_int(name, raw, 20);
    if (!f) FUZZ_CHECK(n && *n == 20);
    if (f && n) FUZZ_CHECK(text::parse_int64(f->value) == n);
  }
  if (const auto* tag = http::find_last(fields, "tag"); tag && !tag->value.empty()) {
    fz::check_json_quote(tag->value);
    const bool found = text::has_hashtag(post_body, tag->value);
    const std::string needle = "#" + tag->value;
    if (found) FUZZ_CHECK(post_body.find(needle) != std::string_view::npos);
    if (post_body.find(needle) == std::string_view::npos) FUZZ_CHECK(!found);
    FUZZ_CHECK(text::has_hashtag(needle, tag->value));
    FUZZ_CHECK(text::has_hashtag(std::string(post_body) + " " + needle, tag->value));
    // Appending a space changes nothing (unless the tag itself ends with one).
    if (fz::utf8_ok(post_body) && fz::utf8_ok(tag->value) && tag->value.back() != ' ') {
      FUZZ_CHECK(text::has_hashtag(std::string(post_body) + " ", tag->value) == found);
    }
  }
  fz::finish(v);
  return 0;
}
