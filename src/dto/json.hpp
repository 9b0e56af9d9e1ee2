// Building a response body with JsonWriter: the few shapes every resource shares.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/json_writer.hpp"

namespace carat::dto {

// A JSON array with one item per element, each written by write(w, element).
template <class T, class Write>
std::string array_json(const std::vector<T>& items, Write write) {
  JsonWriter w;
  w.begin_array();
  for (const auto& item : items) write(w, item);
  w.end_array();
  return w.take();
}

// {"items": [...]} with one item per element, each written by write(w, element).
template <class T, class Write>
std::string items_json(const std::vector<T>& items, Write write) {
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (const auto& item : items) write(w, item);
  w.end_array().end_object();
  return w.take();
}

// One object written by write(w, value).
template <class T, class Write>
std::string object_json(const T& value, Write write) {
  JsonWriter w;
  write(w, value);
  return w.take();
}

// {"message": text}
inline std::string message_json(std::string_view text) {
  JsonWriter w;
  w.begin_object().field("message", text).end_object();
  return w.take();
}

}  // namespace carat::dto
