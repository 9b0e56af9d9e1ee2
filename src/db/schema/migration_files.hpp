// The numbered .sql migrations of this folder, compiled in by cmake/migrations.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace carat::db::schema {

struct MigrationFile {
  std::string_view name;  // "0004_categories.sql", "0002_service_indexes.postgres.sql"
  std::string_view text;  // the file's bytes
};

// Every src/db/schema/*.sql, sorted by name.
const std::vector<MigrationFile>& migration_files();

}  // namespace carat::db::schema
