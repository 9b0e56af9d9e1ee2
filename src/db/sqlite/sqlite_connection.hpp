// SQLite backend: WAL mode, busy timeout, foreign keys on, statements cached per connection.
#pragma once

#include <memory>
#include <string>

#include "db/database.hpp"

namespace carat::db {

std::unique_ptr<Connector> make_sqlite_connector(std::string path);

// Rewrites $1..$n placeholders to SQLite's ?1..?n outside string literals.
std::string sqlite_placeholders(std::string_view sql);

}  // namespace carat::db
