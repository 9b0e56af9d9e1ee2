// Shared helpers of the libFuzzer targets: invariant checks, an independent UTF-8 oracle, and the
// server's rendering of 422 items.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "dto/validate.hpp"
#include "errors/errors.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"

// A violated invariant is a crash the fuzzer reports (and minimizes) like any other.
#define FUZZ_CHECK(cond)                                                                       \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "invariant violated: %s (%s:%d)\n", #cond, __FILE__, __LINE__);     \
      __builtin_trap();                                                                        \
    }                                                                                          \
  } while (0)

namespace carat::fuzz {

inline std::string_view as_view(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits off the text before the first `sep` (the rest after it); the whole input and an empty
// rest when there is none.
inline std::string_view take_until(std::string_view& in, char sep) {
  const size_t p = in.find(sep);
  std::string_view head = in.substr(0, p);
  in = p == std::string_view::npos ? std::string_view() : in.substr(p + 1);
  return head;
}

// RFC 3629 UTF-8, written independently of text::is_valid_utf8 (decode, then reject overlong
// forms, surrogates and code points above U+10FFFF).
inline bool utf8_ok(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    size_t n;
    char32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      n = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      n = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (s.size() - i < n) return false;
    for (size_t k = 1; k < n; ++k) {
      const unsigned char c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// Code points of valid UTF-8, decoded independently of text::code_points.
inline std::vector<char32_t> decode_utf8(std::string_view s) {
  std::vector<char32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    const size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
    char32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

// Python's str.isspace() (what str.strip() removes), the contract of text::trim.
inline bool python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// text:: helpers on any bytes (header values, environment variables and form fields reach trim
// without UTF-8 validation): never throw, return a view into the input; on valid UTF-8 they
// strip exactly the Python whitespace at both ends and keep the text valid.
inline void check_text(std::string_view s) {
  const bool valid = utf8_ok(s);
  FUZZ_CHECK(text::is_valid_utf8(s) == valid);
  FUZZ_CHECK(text::contains_nul(s) == (s.find('\0') != std::string_view::npos));
  const std::string_view t = text::trim(s);
  FUZZ_CHECK(t.data() >= s.data() && t.data() + t.size() <= s.data() + s.size());
  FUZZ_CHECK(text::to_lower_ascii(s).size() == s.size());
  // Client text bound for the database is repaired, never rejected by PostgreSQL.
  const std::string repaired = text::to_valid_utf8(s);
  FUZZ_CHECK(utf8_ok(repaired));
  FUZZ_CHECK(repaired.size() <= 3 * s.size());
  if (!valid) return;
  FUZZ_CHECK(repaired == s);
  const auto cps = decode_utf8(s);
  FUZZ_CHECK(text::code_points(s) == cps.size());
  FUZZ_CHECK(utf8_ok(t));
  FUZZ_CHECK(text::trim(t) == t);
  const size_t head = static_cast<size_t>(t.data() - s.data());
  for (char32_t c : decode_utf8(s.substr(0, head))) FUZZ_CHECK(python_space(c));
  for (char32_t c : decode_utf8(s.substr(head + t.size()))) FUZZ_CHECK(python_space(c));
  if (!t.empty()) {
    const auto inner = decode_utf8(t);
    FUZZ_CHECK(!python_space(inner.front()) && !python_space(inner.back()));
  }
  size_t i = 0, n = 0;
  while (i < s.size()) {
    FUZZ_CHECK(text::next_code_point(s, i) == cps[n]);
    ++n;
  }
  FUZZ_CHECK(i == s.size() && n == cps.size());
}

// Checks a rendered 422 document: strict JSON, and the shape of api.md §1.5.3.
inline nlohmann::json check_422(const std::vector<errors::ValidationItem>& items) {
  const std::string body = dto::render_validation_error(items);
  FUZZ_CHECK(utf8_ok(body));
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  FUZZ_CHECK(!doc.is_discarded());
  FUZZ_CHECK(doc.is_object() && doc.size() == 1 && doc.contains("detail"));
  const auto& detail = doc["detail"];
  FUZZ_CHECK(detail.is_array() && detail.size() == items.size());
  for (const auto& item : detail) {
    FUZZ_CHECK(item.is_object());
    FUZZ_CHECK(item.contains("type") && item["type"].is_string() &&
               !item["type"].get_ref<const std::string&>().empty());
    FUZZ_CHECK(item.contains("loc") && item["loc"].is_array() && !item["loc"].empty());
    const auto& first = item["loc"][0];
    FUZZ_CHECK(first == "body" || first == "query" || first == "path");
    FUZZ_CHECK(item.contains("msg") && item["msg"].is_string());
    FUZZ_CHECK(item.contains("input"));
  }
  return doc;
}

// Collects the items of a Validator (they are private; throw_if_errors hands them over) and
// checks their rendering. Returns the number of items.
inline size_t finish(dto::Validator& v) {
  try {
    v.throw_if_errors();
  } catch (const errors::ValidationError& e) {
    FUZZ_CHECK(!e.items().empty());
    check_422(e.items());
    return e.items().size();
  }
  return 0;
}

// A JSON string literal of arbitrary bytes (invalid UTF-8 repaired): must parse back, and to the
// same text when the input was valid UTF-8.
inline void check_json_quote(std::string_view s) {
  const std::string q = dto::json_quote(s);
  const auto back = nlohmann::json::parse(q, nullptr, false);
  FUZZ_CHECK(back.is_string());
  if (utf8_ok(s)) FUZZ_CHECK(back.get_ref<const std::string&>() == s);
}

}  // namespace carat::fuzz
