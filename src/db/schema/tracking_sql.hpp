// SQL of the migration runner (db/migrations.cpp): introspection and bookkeeping.
#pragma once

#include "db/database.hpp"

namespace carat::db::schema {

inline constexpr Query kLock{"mig_lock", "SELECT pg_advisory_lock(1128354369)"};
inline constexpr Query kUnlock{"mig_unlock", "SELECT pg_advisory_unlock(1128354369)"};

// The catalogs directly rather than information_schema: these run at every start-up, and the
// information_schema views cost tens of milliseconds on PostgreSQL.
inline constexpr Query kListTables{
    "mig_list_tables",
    "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')",
    "SELECT name FROM sqlite_master WHERE type = 'table'"};

inline constexpr Query kListColumns{
    "mig_list_columns",
    "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod) "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
    "AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped",
    "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p "
    "WHERE m.type = 'table'"};

inline constexpr Query kCreateTracking{
    "mig_create_tracking",
    "CREATE TABLE IF NOT EXISTS carat_schema_migrations ("
    "version VARCHAR(64) PRIMARY KEY, description VARCHAR(255) NOT NULL, "
    "checksum VARCHAR(64) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "
    "service_version VARCHAR(32) NULL)",
    "CREATE TABLE IF NOT EXISTS carat_schema_migrations ("
    "version VARCHAR(64) PRIMARY KEY, description VARCHAR(255) NOT NULL, "
    "checksum VARCHAR(64) NOT NULL, applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "
    "service_version VARCHAR(32) NULL)"};

inline constexpr Query kApplied{"mig_applied",
                                "SELECT version, checksum FROM carat_schema_migrations"};

inline constexpr Query kRecord{
    "mig_record",
    "INSERT INTO carat_schema_migrations (version, description, checksum, applied_at, "
    "service_version) VALUES ($1, $2, $3, now(), $4)"};

inline constexpr Query kAlembicVersion{"mig_alembic_version",
                                       "SELECT version_num FROM alembic_version"};

inline constexpr Query kCreateAlembic{
    "mig_create_alembic",
    "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"};
inline constexpr Query kStampAlembic{"mig_stamp_alembic",
                                     "INSERT INTO alembic_version (version_num) VALUES ($1)"};

// $1 table, $2 column: one row when the column exists.
inline constexpr Query kColumnExists{
    "mig_column_exists",
    "SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
    "AND c.relname = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
    "SELECT 1 FROM pragma_table_info($1) WHERE name = $2"};

inline constexpr Query kLookupIdOne{"mig_lookup_id_one_orientations",
                                    "SELECT count(*) FROM orientations WHERE id = 1"};
inline constexpr Query kLookupIdOneGenders{"mig_lookup_id_one_genders",
                                           "SELECT count(*) FROM genders WHERE id = 1"};
inline constexpr Query kLookupIdOnePronouns{"mig_lookup_id_one_pronouns",
                                            "SELECT count(*) FROM pronouns WHERE id = 1"};

}  // namespace carat::db::schema
