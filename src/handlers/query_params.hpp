// Typed query parameters with the contract's 422 items (api.md §1.4, §1.10).
#pragma once

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>

#include "app/context.hpp"
#include "dto/validate.hpp"

namespace carat::handlers {

// skip/limit of api.md §1.10.
struct Page {
  int64_t skip = 0;
  int64_t limit = 50;
};

class QueryReader {
 public:
  explicit QueryReader(RequestContext& ctx) : ctx_(ctx) {}

  // `-?[0-9]+` within 64 bits, else 422 int_parsing; absent gives `fallback`.
  int64_t integer(std::string_view name, int64_t fallback) {
    auto v = validator_.query_int(name, ctx_.query(name), fallback);
    return v.value_or(fallback);
  }

  // Exact match of one of `values`, else 422 enum; absent gives nullopt.
  std::optional<std::string> enumeration(std::string_view name,
                                         std::initializer_list<std::string_view> values) {
    auto raw = ctx_.query(name);
    if (!raw) return std::nullopt;
    for (auto v : values) {
      if (*raw == v) return raw;
    }
    const std::string expected = dto::enum_expected(values);
    validator_.add("enum", {std::string("query"), std::string(name)}, "Input should be " + expected,
                   dto::json_quote(*raw), "{\"expected\":" + dto::json_quote(expected) + "}");
    return std::nullopt;
  }

  // skip/limit: defaults 0/50, clamped (skip >= 0, limit 1..100), never rejected for range.
  Page page() {
    return Page{std::max<int64_t>(0, integer("skip", 0)),
                std::clamp<int64_t>(integer("limit", 50), 1, 100)};
  }

  // A required integer (422 missing when absent).
  std::optional<int64_t> required_integer(std::string_view name) {
    auto raw = ctx_.query(name);
    if (!raw) {
      validator_.missing({std::string("query"), std::string(name)}, nullptr);
      return std::nullopt;
    }
    return validator_.query_int(name, raw, 0);
  }

  // An optional integer (nullopt when absent; 422 int_parsing when not an integer).
  std::optional<int64_t> optional_integer(std::string_view name) {
    auto raw = ctx_.query(name);
    if (!raw) return std::nullopt;
    return validator_.query_int(name, raw, 0);
  }

  // An integer within [ge, le] (422 greater_than_equal / less_than_equal, as FastAPI's
  // Query(ge=, le=)); absent gives `fallback`.
  int64_t integer_in(std::string_view name, int64_t fallback, int64_t ge, int64_t le) {
    auto raw = ctx_.query(name);
    auto v = validator_.query_int(name, raw, fallback);
    if (!raw || !v) return fallback;
    const dto::Loc loc = {std::string("query"), std::string(name)};
    if (*v < ge) {
      validator_.add("greater_than_equal", loc,
                     "Input should be greater than or equal to " + std::to_string(ge),
                     dto::json_quote(*raw), "{\"ge\":" + std::to_string(ge) + "}");
      return fallback;
    }
    if (*v > le) {
      validator_.add("less_than_equal", loc,
                     "Input should be less than or equal to " + std::to_string(le),
                     dto::json_quote(*raw), "{\"le\":" + std::to_string(le) + "}");
      return fallback;
    }
    return *v;
  }

  // A required boolean ("true"/"false"/"1"/"0"/"yes"/"no"/"on"/"off"...; 422 missing or
  // bool_parsing).
  std::optional<bool> required_boolean(std::string_view name) {
    auto raw = ctx_.query(name);
    const dto::Loc loc = {std::string("query"), std::string(name)};
    if (!raw) {
      validator_.missing(loc, nullptr);
      return std::nullopt;
    }
    return validator_.coerce_bool(dto::Json(*raw), loc);
  }

  // A text filter: absent or empty is no filter (FastAPI's `if value:`).
  std::optional<std::string> text(std::string_view name) {
    auto raw = ctx_.query(name);
    if (!raw || raw->empty()) return std::nullopt;
    return raw;
  }

  // A text filter of at most `max_len` characters, the width of the column it is compared with:
  // a longer value matches nothing and would only make the database work (a category is also
  // searched for as a hashtag in post bodies). 422 string_too_long.
  std::optional<std::string> bounded_text(std::string_view name, size_t max_len) {
    auto raw = text(name);
    if (!raw) return raw;
    return validator_.string_value(dto::Json(*raw), {std::string("query"), std::string(name)},
                                   {.max_len = max_len, .nul_message = "must not contain NUL"});
  }

  dto::Validator& validator() { return validator_; }
  // Throws the collected 422 items, if any.
  void done() { validator_.throw_if_errors(); }

 private:
  RequestContext& ctx_;
  dto::Validator validator_;
};

}  // namespace carat::handlers
