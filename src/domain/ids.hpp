// Ids of the API are 32-bit (api.md §1.4): a path or body id outside 1..2147483647 names nothing,
// so the rules answer it as a missing row without asking the database.
#pragma once

#include <cstdint>

namespace carat::domain {

inline bool valid_id(int64_t id) { return id >= 1 && id <= 2147483647; }

}  // namespace carat::domain
