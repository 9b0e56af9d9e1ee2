// A field of a partial update, in plain standard types: absent (keep what is stored), or set,
// to a value or to null.
//
//   Update<std::string> title;      // {}: absent, std::optional<std::string>{}: null, "x": value
#pragma once

#include <optional>

namespace carat::domain {

template <class T>
using Update = std::optional<std::optional<T>>;

// The new value of a column: the update's when present, else the stored one.
template <class T>
std::optional<T> updated(const Update<T>& update, const std::optional<T>& stored) {
  return update ? *update : stored;
}

// The value for a new row: the update's, or nothing when absent or null.
template <class T>
std::optional<T> given(const Update<T>& update) {
  return update ? *update : std::nullopt;
}

}  // namespace carat::domain
