// DATABASE_URL parsing: the SQLAlchemy-style URLs of the legacy deployment and libpq URIs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace carat::config {

struct DatabaseUrl {
  enum class Kind { kPostgres, kSqlite };
  Kind kind = Kind::kSqlite;
  // PostgreSQL: a libpq connection URI ("postgresql://…", with any "+driver" removed). Query
  // options such as sslmode and sslrootcert stay in it and reach libpq unchanged.
  std::string conninfo;
  // SQLite: the file path (or ":memory:").
  std::string sqlite_path;
  // The URL with the password replaced by "***", for logs and error messages.
  std::string redacted;
};

// Returns nullopt with a readable `error` (never containing the password) when the URL is not
// usable.
std::optional<DatabaseUrl> parse_database_url(std::string_view url, std::string& error);

// The URL with any password replaced by "***".
std::string redact_url(std::string_view url);

}  // namespace carat::config
