// Lists bound as one parameter: a JSON array, which the statements unpack with
// json_array_elements_text (PostgreSQL) or json_each (SQLite). One statement for any length.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/json_writer.hpp"

namespace carat::db {

inline std::string json_array(const std::vector<int64_t>& items) {
  std::string out = "[";
  for (int64_t item : items) out += (out.size() > 1 ? "," : "") + std::to_string(item);
  return out + "]";
}

inline std::string json_array(const std::vector<std::string>& items) {
  JsonWriter w;
  w.begin_array();
  for (const auto& item : items) w.value(item);
  w.end_array();
  return w.take();
}

}  // namespace carat::db
