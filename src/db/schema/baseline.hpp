// Migration 0001: the reference schema (schema.md §3) as data. The migration runner builds
// CREATE TABLE and ADD COLUMN statements for either dialect from it, so both stay one definition,
// and adopts a legacy database additively (missing tables and columns, lookup seed rows).
// Released: its definition (and so its checksum) never changes. Later migrations are numbered
// .sql files beside this one (db/schema/NNNN_name[.postgres|.sqlite].sql).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"

namespace carat::db::schema {

enum class Type {
  kSerial,     // SERIAL / INTEGER PRIMARY KEY AUTOINCREMENT
  kInt,
  kBigInt,
  kVarchar,    // unbounded
  kVarcharN,   // VARCHAR(n)
  kText,
  kBool,
  kTimestamp,  // TIMESTAMPTZ / DATETIME
  kDate,
  kJson,
};

struct Column {
  std::string_view name;
  Type type;
  int length = 0;              // for kVarcharN
  bool not_null = false;
  std::string_view default_sql = {};  // portable literal: 'x', 0, true/false, or "now"
};

struct Table {
  std::string_view name;
  std::vector<Column> columns;
  // Table constraints in PostgreSQL syntax with their reference names, e.g.
  // "CONSTRAINT users_pkey PRIMARY KEY (id)". SQLite takes the same text, except that the
  // serial id's PRIMARY KEY is declared inline there (AUTOINCREMENT requires it).
  std::vector<std::string_view> constraints;
  // Reference indexes, created together with the table only (never added to an adopted table:
  // a new unique index on existing data is not additive).
  std::vector<std::string_view> indexes;
};

// The 22 tables in creation (foreign-key) order.
const std::vector<Table>& reference_tables();

std::string create_table_sql(const Table& t, Dialect d);
// The ADD COLUMN for a column missing from an adopted table: nullable, or NOT NULL only with a
// constant default (schema.md §5.2).
std::string add_column_sql(const Table& t, const Column& c, Dialect d);

// Seed rows of schema.md §4.
struct LookupSeed {
  std::string_view table;
  std::vector<std::string_view> names;
};
const std::vector<LookupSeed>& lookup_seeds();

struct AwardSeed {
  std::string_view name, description;
  int threshold, prize;
};
const std::vector<AwardSeed>& award_seeds();

struct ContentItemSeed {
  std::string_view type, title, creator;
  int year;
};
const std::vector<ContentItemSeed>& content_item_seeds();

}  // namespace carat::db::schema
