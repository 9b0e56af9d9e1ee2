#include "http/router.hpp"

#include <algorithm>
#include <set>

#include "util/strings.hpp"

namespace carat::http {

namespace {

bool is_param(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

bool split_path(std::string_view raw_path, std::vector<std::string>& out) {
  out.clear();
  if (raw_path.empty() || raw_path[0] != '/') return false;
  std::string_view rest = raw_path.substr(1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return true;
  size_t start = 0;
  while (true) {
    const size_t slash = rest.find('/', start);
    const std::string_view seg = rest.substr(start, slash == std::string_view::npos ? rest.npos
                                                                                     : slash - start);
    auto decoded = text::percent_decode(seg, false);
    // "//", a bad escape, or a NUL (PostgreSQL text cannot hold one): no such resource.
    if (!decoded || decoded->empty() || text::contains_nul(*decoded)) return false;
    out.push_back(std::move(*decoded));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

void Router::add(Route route) {
  routes_.push_back(std::make_unique<Route>(std::move(route)));
  Route* r = routes_.back().get();
  Compiled c{r, {}, {}};
  split_path(r->pattern, c.segments);
  r->param_names.clear();
  for (const auto& s : c.segments) {
    c.rank.push_back(is_param(s) ? 0 : 1);
    if (is_param(s)) r->param_names.push_back(s.substr(1, s.size() - 2));
  }
  compiled_.push_back(std::move(c));
}

MatchResult Router::match(std::string_view method, std::string_view raw_path) const {
  MatchResult result;
  std::vector<std::string> segments;
  if (!split_path(raw_path, segments)) return result;

  const std::string_view want = method == "HEAD" ? std::string_view("GET") : method;
  auto matches = [&](const Compiled& c) {
    if (c.segments.size() != segments.size()) return false;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (!is_param(c.segments[i]) && c.segments[i] != segments[i]) return false;
    }
    return true;
  };
  // A path matched by a more literal pattern belongs to that pattern only: /api/users/me is
  // never /api/users/{user_id}, even for a method only the parameter route has.
  const Compiled* most_literal = nullptr;
  const Compiled* best = nullptr;
  for (const auto& c : compiled_) {
    if (!matches(c)) continue;
    if (most_literal == nullptr || c.rank > most_literal->rank) {
      most_literal = &c;
      best = nullptr;
    }
    if (c.rank == most_literal->rank && c.route->method == want) best = &c;
  }
  if (most_literal == nullptr) return result;
  if (best == nullptr) {
    // 405: the methods of the patterns as literal as the best match (only built here).
    std::set<std::string> allowed;
    for (const auto& c : compiled_) {
      if (c.rank == most_literal->rank && matches(c)) allowed.insert(c.route->method);
    }
    result.kind = MatchResult::Kind::kMethodNotAllowed;
    if (allowed.count("GET")) allowed.insert("HEAD");
    std::string allow;
    for (const auto& m : allowed) {
      if (!allow.empty()) allow += ", ";
      allow += m;
    }
    result.allow = allow;
    return result;
  }
  result.kind = MatchResult::Kind::kFound;
  result.route = best->route;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (is_param(best->segments[i])) result.params.push_back(std::move(segments[i]));
  }
  return result;
}

}  // namespace carat::http
