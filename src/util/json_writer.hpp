// Streaming JSON writer for responses.
//
// Written by hand (not nlohmann::json::dump) because the contract fixes details a generic
// serializer does not let us control cheaply: keys in a fixed output order, raw UTF-8 (no \u
// escapes), lowercase \u00xx for control characters, `/` unescaped, invalid UTF-8 from legacy
// rows repaired to U+FFFD instead of throwing, and list responses written straight into one
// buffer without building a DOM first (the posts list is the hot path).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace carat {

class JsonWriter {
 public:
  JsonWriter() { out_.reserve(256); }

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(int64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& value(bool v);
  JsonWriter& value(const timeutil::Timestamp& t) { return value(std::string_view(t.api)); }
  JsonWriter& null();
  // Inserts already-serialized JSON (for example a stored notification payload).
  JsonWriter& raw(std::string_view json);

  template <typename T>
  JsonWriter& value(const std::optional<T>& v) {
    if (v) return value(*v);
    return null();
  }

  // Shorthands for `key(k).value(v)`.
  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  JsonWriter& field_null(std::string_view k) {
    key(k);
    return null();
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

  // Appends `s` as a JSON string literal (with quotes) to `out`.
  static void escape_into(std::string& out, std::string_view s);

 private:
  void before_value();

  std::string out_;
  // One entry per open container: true once it holds an element (a comma is needed next).
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace carat
