// Versioned, additive migrations tracked in carat_schema_migrations (schema.md §5, §6).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"

namespace carat::db {

struct MigrationInfo {
  std::string version;
  std::string description;
  // SHA-256 of the migration's definition, as recorded in carat_schema_migrations.
  std::string postgres_checksum;
  std::string sqlite_checksum;
};

// The compiled-in list, in order.
std::vector<MigrationInfo> migration_list();

// The Alembic revision a database created by this service is stamped with: the head of the
// upstream version served (7750a50), so that version's `alembic upgrade head` is a no-op.
inline constexpr const char* kAlembicHead = "add_carats_001";
// True for the Alembic revisions of the upstream versions this service adopts (6d9d815's head
// and the eight revisions after it up to 7750a50); any other is adopted too, with a warning.
bool is_known_alembic_revision(std::string_view revision);

// The statements of a migration file: split at semicolons outside quotes, comments and
// dollar-quoted bodies; comments and blank statements dropped.
std::vector<std::string> split_sql_statements(std::string_view script);

struct MigrationReport {
  bool fresh_install = false;
  std::vector<std::string> applied;           // versions applied by this run
  std::vector<std::string> unknown_versions;  // recorded by a newer release
  std::string alembic_version;                // empty when the table is absent
  std::vector<std::string> naive_timestamp_columns;  // "table.column"
};

class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Applies pending migrations under the migration lock, then verifies the schema the API needs.
// Throws MigrationError with a readable reason (the caller exits non-zero before listening).
MigrationReport migrate(Connection& conn, const std::string& service_version);

// Startup check on the runtime connection when migrations are skipped: the schema is complete
// and every compiled migration is recorded.
void verify_schema(Connection& conn);

}  // namespace carat::db
