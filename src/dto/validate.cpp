#include "dto/validate.hpp"

#include <cmath>
#include <limits>

#include "domain/email.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace carat::dto {

namespace {

std::string plural(size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// Offset of the first '[' or '{' opening level kMaxJsonDepth + 1, if any. Strings are skipped as
// JSON defines them; on text that is not JSON the answer does not matter (the parser rejects it).
std::optional<size_t> too_deep_at(std::string_view s) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

[[noreturn]] void throw_json_invalid(size_t offset, std::string reason) {
  // nlohmann's messages start with "[json.exception.parse_error.101] ".
  if (const size_t p = reason.find("] "); p != std::string::npos) reason = reason.substr(p + 2);
  std::vector<errors::ValidationItem> items;
  items.push_back(errors::ValidationItem{"json_invalid",
                                       {std::string("body"), static_cast<int64_t>(offset)},
                                       "JSON decode error", "{}",
                                       "{\"error\":" + json_quote(reason) + "}"});
  throw errors::ValidationError(std::move(items));
}

}  // namespace

Json parse_json_body(std::string_view body) {
  if (const auto at = too_deep_at(body)) {
    throw_json_invalid(*at, "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  try {
    return Json::parse(body);
  } catch (const Json::parse_error& e) {
    throw_json_invalid(e.byte > 0 ? e.byte - 1 : 0, e.what());
  } catch (const Json::exception& e) {
    // out_of_range.406 "number overflow parsing '1e999'" has no position: point at the number.
    const std::string what = e.what();
    size_t offset = 0;
    const size_t q1 = what.find('\''), q2 = what.rfind('\'');
    if (q1 != std::string::npos && q2 > q1 + 1) {
      offset = body.find(std::string_view(what).substr(q1 + 1, q2 - q1 - 1));
      if (offset == std::string_view::npos) offset = 0;
    }
    throw_json_invalid(offset, what);
  }
}

namespace {
// A 422 answers at most this many items, each echoing at most this much of its input: a 1 MiB
// list of bad ids once answered 72.7 MB (issue 14 item 8).
constexpr size_t kMaxItems = 50;
constexpr size_t kMaxInputBytes = 1024;
constexpr size_t kMaxInputElements = 64;

std::string not_echoed(const char* what, size_t size, const char* unit) {
  return json_quote("<" + std::string(what) + " of " + std::to_string(size) + " " + unit +
                    ", not echoed>");
}
}  // namespace

std::string input_json(const Json& v) {
  // Containers are measured before they are serialised, so a huge one costs nothing here.
  if (v.is_array() && v.size() > kMaxInputElements) return not_echoed("list", v.size(), "items");
  if (v.is_object() && v.size() > kMaxInputElements) {
    return not_echoed("object", v.size(), "keys");
  }
  if (v.is_string() && v.get_ref<const std::string&>().size() > kMaxInputBytes) {
    return not_echoed("string", v.get_ref<const std::string&>().size(), "bytes");
  }
  std::string out = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (out.size() > kMaxInputBytes) return not_echoed("value", out.size(), "bytes");
  return out;
}

std::string json_quote(std::string_view s) {
  std::string out;
  JsonWriter::escape_into(out, s);
  return out;
}

std::string enum_expected(std::initializer_list<std::string_view> values) {
  std::string out;
  size_t i = 0;
  for (auto v : values) {
    if (i > 0) out += (i + 1 == values.size()) ? " or " : ", ";
    out += "'" + std::string(v) + "'";
    ++i;
  }
  return out;
}

std::string render_validation_error(const std::vector<errors::ValidationItem>& items) {
  JsonWriter w;
  w.begin_object().key("detail").begin_array();
  for (const auto& item : items) {
    w.begin_object();
    w.field("type", item.type);
    w.key("loc").begin_array();
    for (const auto& part : item.loc) {
      if (std::holds_alternative<std::string>(part)) {
        w.value(std::get<std::string>(part));
      } else {
        w.value(std::get<int64_t>(part));
      }
    }
    w.end_array();
    w.field("msg", item.msg);
    w.key("input").raw(item.input_json);
    if (item.ctx_json) w.key("ctx").raw(*item.ctx_json);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}


void Validator::add(std::string type, Loc loc, std::string msg, std::string input,
                    std::optional<std::string> ctx) {
  if (items_.size() >= kMaxItems) return;
  items_.push_back(errors::ValidationItem{std::move(type), std::move(loc), std::move(msg),
                                        std::move(input), std::move(ctx)});
}

void Validator::missing(Loc loc, const Json* enclosing) {
  add("missing", std::move(loc), "Field required", enclosing ? input_json(*enclosing) : "null");
}

void Validator::value_error(Loc loc, const std::string& message, const Json& input) {
  add("value_error", std::move(loc), "Value error, " + message, input_json(input),
      "{\"error\":" + json_quote(message) + "}");
}

void Validator::throw_if_errors() {
  if (!items_.empty()) throw errors::ValidationError(std::move(items_));
}

Field<std::string> Validator::email(const Json& obj, std::string_view key, bool required,
                                   bool nullable) {
  auto f = str(obj, key, {.required = required, .nullable = nullable, .trim = true, .max_len = 254});
  if (!f.has_value()) return f;
  std::string reason;
  if (auto normalized = domain::normalize_email(f.value, reason)) {
    f.value = std::move(*normalized);
    return f;
  }
  add("value_error", loc(key), "value is not a valid email address: " + reason,
      input_json(obj[std::string(key)]), "{\"reason\":" + json_quote(reason) + "}");
  f.present = false;
  return f;
}

Field<std::string> Validator::str(const Json& obj, std::string_view key, const StrRule& rule) {
  Field<std::string> f;
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (rule.required) missing(loc(key), &obj);
    return f;
  }
  f.present = true;
  if (it->is_null() && rule.nullable) {
    f.null = true;
    return f;
  }
  if (auto value = string_value(*it, loc(key), rule)) {
    f.value = std::move(*value);
  } else {
    f.present = false;
  }
  return f;
}

std::optional<std::string> Validator::string_value(const Json& v, const Loc& l,
                                                   const StrRule& rule) {
  if (!v.is_string()) {
    add("string_type", l, "Input should be a valid string", input_json(v));
    return std::nullopt;
  }
  const std::string& raw = v.get_ref<const std::string&>();
  std::string value = rule.trim ? std::string(text::trim(raw)) : raw;
  const size_t len = text::code_points(value);
  if (len < rule.min_len) {
    add("string_too_short", l,
        "String should have at least " + plural(rule.min_len, "character"), input_json(v),
        "{\"min_length\":" + std::to_string(rule.min_len) + "}");
    return std::nullopt;
  }
  if (rule.max_len > 0 && len > rule.max_len) {
    add("string_too_long", l,
        "String should have at most " + plural(rule.max_len, "character"), input_json(v),
        "{\"max_length\":" + std::to_string(rule.max_len) + "}");
    return std::nullopt;
  }
  if (text::contains_nul(value)) {
    value_error(l, rule.nul_message, v);
    return std::nullopt;
  }
  return value;
}

template <class T, class Read>
Field<std::vector<T>> Validator::list(const Json& obj, std::string_view key, bool nullable,
                                      size_t max_items, Read read) {
  Field<std::vector<T>> f;
  auto it = obj.find(key);
  if (it == obj.end()) return f;
  if (it->is_null() && nullable) {
    f.present = true;
    f.null = true;
    return f;
  }
  if (!it->is_array()) {
    add("list_type", loc(key), "Input should be a valid list", input_json(*it));
    return f;
  }
  if (it->size() > max_items) {
    add("too_long", loc(key),
        "List should have at most " + plural(max_items, "item") + " after validation, not " +
            std::to_string(it->size()),
        input_json(*it),
        "{\"field_type\":\"List\",\"max_length\":" + std::to_string(max_items) +
            ",\"actual_length\":" + std::to_string(it->size()) + "}");
    return f;
  }
  bool ok = true;
  int64_t index = 0;
  for (const auto& element : *it) {
    Loc item_loc = loc(key);
    item_loc.emplace_back(index++);
    if (auto value = read(element, item_loc)) {
      f.value.push_back(std::move(*value));
    } else {
      ok = false;
    }
  }
  if (ok) f.present = true;
  return f;
}

Field<std::vector<std::string>> Validator::str_list(const Json& obj, std::string_view key,
                                                    bool nullable, const StrRule& item,
                                                    size_t max_items) {
  return list<std::string>(obj, key, nullable, max_items, [&](const Json& v, const Loc& l) {
    return string_value(v, l, item);
  });
}

std::optional<int64_t> Validator::coerce_int(const Json& v, const Loc& loc) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      add("int_parsing", loc, "Input should be a valid integer, unable to parse string as an integer",
          input_json(v));
      return std::nullopt;
    }
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::floor(d) == d) {
      if (d >= -9.2233720368547758e18 && d < 9.2233720368547758e18) return static_cast<int64_t>(d);
      add("int_parsing", loc,
          "Input should be a valid integer, unable to parse string as an integer", input_json(v));
      return std::nullopt;
    }
    add("int_from_float", loc, "Input should be a valid integer, got a number with a fractional part",
        input_json(v));
    return std::nullopt;
  }
  if (v.is_string()) {
    if (auto parsed = text::parse_int64(text::trim(v.get_ref<const std::string&>()))) return parsed;
    add("int_parsing", loc, "Input should be a valid integer, unable to parse string as an integer",
        input_json(v));
    return std::nullopt;
  }
  add("int_type", loc, "Input should be a valid integer", input_json(v));
  return std::nullopt;
}

Field<int64_t> Validator::integer(const Json& obj, std::string_view key, const IntRule& rule) {
  Field<int64_t> f;
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (rule.required) missing(loc(key), &obj);
    return f;
  }
  if (it->is_null() && rule.nullable) {
    f.present = true;
    f.null = true;
    return f;
  }
  auto v = coerce_int(*it, loc(key));
  if (!v) return f;
  if (rule.ge && *v < *rule.ge) {
    add("greater_than_equal", loc(key),
        "Input should be greater than or equal to " + std::to_string(*rule.ge), input_json(*it),
        "{\"ge\":" + std::to_string(*rule.ge) + "}");
    return f;
  }
  if (rule.le && *v > *rule.le) {
    add("less_than_equal", loc(key),
        "Input should be less than or equal to " + std::to_string(*rule.le), input_json(*it),
        "{\"le\":" + std::to_string(*rule.le) + "}");
    return f;
  }
  f.present = true;
  f.value = *v;
  return f;
}

Field<int64_t> Validator::datetime(const Json& obj, std::string_view key) {
  Field<int64_t> f;
  auto it = obj.find(key);
  if (it == obj.end()) return f;
  if (it->is_null()) {
    f.present = true;
    f.null = true;
    return f;
  }
  std::string reason = "input is not a string or a number";
  // Unix seconds, within years 0001..9999 so the microsecond value cannot overflow.
  constexpr int64_t kMinSeconds = -62135596800LL, kMaxSeconds = 253402300799LL;
  if (it->is_number_integer() && !it->is_number_unsigned()) {
    const int64_t secs = it->get<int64_t>();
    if (secs >= kMinSeconds && secs <= kMaxSeconds) {
      f.present = true;
      f.value = secs * 1'000'000;
      return f;
    }
    reason = "input is out of range";
  } else if (it->is_number_unsigned()) {
    if (it->get<uint64_t>() <= static_cast<uint64_t>(kMaxSeconds)) {
      f.present = true;
      f.value = static_cast<int64_t>(it->get<uint64_t>()) * 1'000'000;
      return f;
    }
    reason = "input is out of range";
  }
  if (it->is_string()) {
    if (auto t = timeutil::parse_api_datetime(it->get_ref<const std::string&>(), reason)) {
      f.present = true;
      f.value = *t;
      return f;
    }
  }
  add("datetime_parsing", loc(key), "Input should be a valid datetime, " + reason,
      input_json(*it), "{\"error\":" + json_quote(reason) + "}");
  return f;
}

std::optional<bool> Validator::coerce_bool(const Json& v, const Loc& loc) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) {
    if (v == 0) return false;
    if (v == 1) return true;
    add("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input",
        input_json(v));
    return std::nullopt;
  }
  if (v.is_string()) {
    const std::string s = text::to_lower_ascii(v.get_ref<const std::string&>());
    if (s == "true" || s == "1" || s == "yes" || s == "on" || s == "t" || s == "y") return true;
    if (s == "false" || s == "0" || s == "no" || s == "off" || s == "f" || s == "n") return false;
    add("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input",
        input_json(v));
    return std::nullopt;
  }
  add("bool_type", loc, "Input should be a valid boolean", input_json(v));
  return std::nullopt;
}

Field<bool> Validator::boolean(const Json& obj, std::string_view key, bool required,
                               bool nullable) {
  Field<bool> f;
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) missing(loc(key), &obj);
    return f;
  }
  if (it->is_null() && nullable) {
    f.present = true;
    f.null = true;
    return f;
  }
  auto v = coerce_bool(*it, loc(key));
  if (!v) return f;
  f.present = true;
  f.value = *v;
  return f;
}

Field<std::string> Validator::enumeration(const Json& obj, std::string_view key,
                                          std::initializer_list<std::string_view> values,
                                          bool required, bool nullable) {
  Field<std::string> f;
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) missing(loc(key), &obj);
    return f;
  }
  if (it->is_null() && nullable) {
    f.present = true;
    f.null = true;
    return f;
  }
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    for (auto v : values) {
      if (s == v) {
        f.present = true;
        f.value = s;
        return f;
      }
    }
  }
  const std::string expected = enum_expected(values);
  add("enum", loc(key), "Input should be " + expected, input_json(*it),
      "{\"expected\":" + json_quote(expected) + "}");
  return f;
}

Field<std::vector<int64_t>> Validator::int_list(const Json& obj, std::string_view key,
                                                bool nullable) {
  return list<int64_t>(obj, key, nullable, std::numeric_limits<size_t>::max(),
                       [&](const Json& v, const Loc& l) { return coerce_int(v, l); });
}

Field<const Json*> Validator::object(const Json& obj, std::string_view key, bool nullable) {
  Field<const Json*> f;
  auto it = obj.find(key);
  if (it == obj.end()) return f;
  if (it->is_null() && nullable) {
    f.present = true;
    f.null = true;
    return f;
  }
  if (!it->is_object()) {
    add("dict_type", loc(key), "Input should be a valid dictionary", input_json(*it));
    return f;
  }
  f.present = true;
  f.value = &*it;
  return f;
}

std::optional<int64_t> Validator::path_int(std::string_view name, std::string_view raw) {
  if (auto v = text::parse_int64(raw)) return v;
  add("int_parsing", Loc{std::string("path"), std::string(name)},
      "Input should be a valid integer, unable to parse string as an integer", json_quote(raw));
  return std::nullopt;
}

std::optional<int64_t> Validator::query_int(std::string_view name,
                                            const std::optional<std::string>& raw,
                                            int64_t fallback) {
  if (!raw) return fallback;
  if (auto v = text::parse_int64(*raw)) return v;
  add("int_parsing", Loc{std::string("query"), std::string(name)},
      "Input should be a valid integer, unable to parse string as an integer", json_quote(*raw));
  return std::nullopt;
}

}  // namespace carat::dto
