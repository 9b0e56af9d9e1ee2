// Request validation with pydantic-compatible 422 items (api.md §1.4, §1.5.3). A Validator
// collects every failure of a request (path, then query, then body) and throws them together.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "errors/errors.hpp"

namespace carat::dto {

using Json = nlohmann::json;
using Loc = std::vector<errors::ValidationItem::LocPart>;

// A field of a request: absent, explicitly null, or a value (partial updates need all three).
template <typename T>
struct Field {
  bool present = false;
  bool null = false;
  T value{};

  bool has_value() const { return present && !null; }
  std::optional<T> opt() const {
    if (has_value()) return value;
    return std::nullopt;
  }
  // As a partial update (domain/update.hpp): absent, null, or the value.
  std::optional<std::optional<T>> update() const {
    if (!present) return std::nullopt;
    return null ? std::optional<T>() : std::optional<T>(value);
  }
};

struct StrRule {
  bool required = false;
  bool nullable = false;
  bool trim = false;
  size_t min_len = 0;
  size_t max_len = 0;  // 0: unlimited
  const char* nul_message = "must not contain NUL characters";
};

struct IntRule {
  bool required = false;
  bool nullable = false;
  std::optional<int64_t> ge;
  std::optional<int64_t> le;
};

class Validator {
 public:
  // Body readers report locations under this prefix (["body"] by default; ["body",
  // "tourism_details"] while reading that nested object).
  void set_prefix(Loc prefix) { prefix_ = std::move(prefix); }
  Loc loc(std::string_view key) const {
    Loc l = prefix_;
    l.emplace_back(std::string(key));
    return l;
  }

  void add(std::string type, Loc loc, std::string msg, std::string input_json,
           std::optional<std::string> ctx_json = std::nullopt);
  void missing(Loc loc, const Json* enclosing);
  void value_error(Loc loc, const std::string& message, const Json& input);
  bool ok() const { return items_.empty(); }
  void throw_if_errors();

  // Body fields of a JSON object.
  Field<std::string> str(const Json& obj, std::string_view key, const StrRule& rule);
  Field<int64_t> integer(const Json& obj, std::string_view key, const IntRule& rule);
  // A datetime of api.md §1.3 (string forms or unix seconds), nullable.
  Field<int64_t> datetime(const Json& obj, std::string_view key);
  Field<bool> boolean(const Json& obj, std::string_view key, bool required, bool nullable);
  // An e-mail address (api.md §3.1), trimmed, at most 254 characters, normalized by
  // domain::normalize_email; an invalid one is a value_error with the reason.
  Field<std::string> email(const Json& obj, std::string_view key, bool required, bool nullable);
  Field<std::string> enumeration(const Json& obj, std::string_view key,
                                 std::initializer_list<std::string_view> values, bool required,
                                 bool nullable);
  Field<std::vector<int64_t>> int_list(const Json& obj, std::string_view key, bool nullable);
  // A list of at most `max_items` strings, each checked by `item` (422 items at [key, index]).
  Field<std::vector<std::string>> str_list(const Json& obj, std::string_view key, bool nullable,
                                           const StrRule& item, size_t max_items);
  // A nested object (dict_type when it is not one).
  Field<const Json*> object(const Json& obj, std::string_view key, bool nullable);

  // Path and query parameters (strings by nature): `-?[0-9]+` within 64 bits.
  std::optional<int64_t> path_int(std::string_view name, std::string_view raw);
  std::optional<int64_t> query_int(std::string_view name, const std::optional<std::string>& raw,
                                   int64_t fallback);

  // Scalar coercion of a single JSON value (used by the readers and for nested fields).
  std::optional<int64_t> coerce_int(const Json& v, const Loc& loc);
  std::optional<bool> coerce_bool(const Json& v, const Loc& loc);
  // A string value at `loc` checked by `rule` (type, length, NUL).
  std::optional<std::string> string_value(const Json& v, const Loc& loc, const StrRule& rule);

 private:
  // The list at `key`: absent, null (when `nullable`), not a list (list_type), longer than
  // `max_items` (too_long) as every list field answers them; each element is read by
  // `read(element, loc)` (nullopt: its 422 item was added). Defined in validate.cpp.
  template <class T, class Read>
  Field<std::vector<T>> list(const Json& obj, std::string_view key, bool nullable,
                             size_t max_items, Read read);

  std::vector<errors::ValidationItem> items_;
  Loc prefix_ = {std::string("body")};
};

// The 422 body: {"detail":[{type, loc, msg, input[, ctx]}, ...]} (api.md §1.5.3).
std::string render_validation_error(const std::vector<errors::ValidationItem>& items);

// Serialized JSON of a value for the `input` key (invalid UTF-8 replaced, never throws).
std::string input_json(const Json& v);
std::string json_quote(std::string_view s);

// "'a', 'b' or 'c'" as pydantic lists enum members.
std::string enum_expected(std::initializer_list<std::string_view> values);

// Deepest nesting of arrays and objects a request body may have. Echoing a deeper document in a
// 422 `input` (nlohmann's dump is recursive) would overflow the stack: a 1 MiB body of '['
// crashed the server. No client of the contract nests more than a few levels.
inline constexpr size_t kMaxJsonDepth = 512;

// Parses a request body. Anything that is not a usable JSON document throws one 422
// `json_invalid` item at ["body", <byte offset>] (api.md §1.5.3): syntax errors and invalid
// UTF-8, numbers beyond the double range ("1e999": nlohmann's out_of_range, not a parse_error),
// and nesting deeper than kMaxJsonDepth.
Json parse_json_body(std::string_view body);

}  // namespace carat::dto
