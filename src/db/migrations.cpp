#include "db/migrations.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <map>
#include <set>

#include "db/schema/baseline.hpp"
#include "db/schema/migration_files.hpp"
#include "db/schema/tracking_sql.hpp"
#include "observability/log.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace carat::db {

namespace {

namespace q = schema;
using db::Dialect;

struct Introspection {
  std::set<std::string> tables;
  std::map<std::string, std::set<std::string>> columns;
  std::vector<std::string> naive_timestamps;
};

Introspection introspect(Connection& c) {
  Introspection info;
  auto tables = c.exec(q::kListTables);
  for (size_t r = 0; r < tables.rows(); ++r) info.tables.insert(tables.str(r, 0));
  auto cols = c.exec(q::kListColumns);
  for (size_t r = 0; r < cols.rows(); ++r) {
    info.columns[cols.str(r, 0)].insert(cols.str(r, 1));
    if (cols.text(r, 2) == "timestamp without time zone") {
      info.naive_timestamps.push_back(cols.str(r, 0) + "." + cols.str(r, 1));
    }
  }
  return info;
}

// A statement built from compile-time identifiers (table names of the reference schema) with
// its values bound; never from user input.
ResultSet exec_built(Connection& c, const std::string& name, const std::string& sql,
                     const Params& params = {}) {
  return c.exec(Query{name, sql}, params);
}

// ---- 0001_baseline ----

std::string baseline_definition(Dialect d) {
  std::string text;
  for (const auto& t : schema::reference_tables()) {
    text += schema::create_table_sql(t, d) + ";\n";
    for (const auto& idx : t.indexes) text += std::string(idx) + ";\n";
  }
  for (const auto& seed : schema::lookup_seeds()) {
    text += std::string(seed.table) + ":";
    for (const auto& n : seed.names) text += std::string(n) + ",";
    text += "\n";
  }
  for (const auto& a : schema::award_seeds()) {
    text += std::string(a.name) + "|" + std::string(a.description) + "|" +
            std::to_string(a.threshold) + "|" + std::to_string(a.prize) + "\n";
  }
  for (const auto& ci : schema::content_item_seeds()) {
    text += std::string(ci.type) + "|" + std::string(ci.title) + "|" + std::string(ci.creator) +
            "|" + std::to_string(ci.year) + "\n";
  }
  return text;
}

void reset_sequence(Connection& c, std::string_view table) {
  if (c.dialect() != Dialect::kPostgres) return;
  const std::string t(table);
  exec_built(c, "mig_setval_" + t,
             "SELECT setval(pg_get_serial_sequence('" + t + "', 'id'), "
             "(SELECT COALESCE(max(id), 1) FROM " + t + "))");
}

int64_t count_where(Connection& c, const std::string& table, const std::string& column,
                    const Param& value) {
  auto r = exec_built(c, "mig_count_" + table + "_" + column,
                      "SELECT count(*) FROM " + table + " WHERE " + column + " = $1", {value});
  return r.i64(0, 0);
}

void seed_lookup(Connection& c, const schema::LookupSeed& seed, bool created) {
  const std::string t(seed.table);
  if (created) {
    int64_t id = 1;
    for (const auto& name : seed.names) {
      exec_built(c, "mig_seed_id_" + t,
                 "INSERT INTO " + t + " (id, name, created_at) VALUES ($1, $2, now())",
                 {id++, std::string(name)});
    }
    reset_sequence(c, seed.table);
    return;
  }
  const bool needs_id_one = t != "tags";
  if (needs_id_one && count_where(c, t, "id", int64_t{1}) == 0 &&
      count_where(c, t, "name", "unspecified") == 0) {
    exec_built(c, "mig_seed_id_" + t,
               "INSERT INTO " + t + " (id, name, created_at) VALUES ($1, $2, now())",
               {int64_t{1}, "unspecified"});
    reset_sequence(c, seed.table);
  }
  for (const auto& name : seed.names) {
    // NOT EXISTS rather than ON CONFLICT (name): an adopted table may lack the unique constraint.
    exec_built(c, "mig_seed_name_" + t,
               "INSERT INTO " + t + " (name, created_at) SELECT CAST($1 AS VARCHAR), now() "
               "WHERE NOT EXISTS (SELECT 1 FROM " + t + " WHERE name = CAST($1 AS VARCHAR))",
               {std::string(name)});
  }
  if (needs_id_one && count_where(c, t, "id", int64_t{1}) == 0) {
    throw MigrationError("table " + t +
                         " has no row with id 1 and its name 'unspecified' is used by another id; "
                         "registration needs id 1: fix the lookup table by hand");
  }
}

void seed_awards(Connection& c, bool created) {
  int64_t id = 1;
  for (const auto& a : schema::award_seeds()) {
    if (created) {
      exec_built(c, "mig_seed_award_id",
                 "INSERT INTO awards (id, name, description, threshold_points, prize_amount_yen, "
                 "created_at) VALUES ($1, $2, $3, $4, $5, now())",
                 {id++, std::string(a.name), std::string(a.description), a.threshold, a.prize});
    } else {
      exec_built(c, "mig_seed_award_name",
                 "INSERT INTO awards (name, description, threshold_points, prize_amount_yen, "
                 "created_at) SELECT CAST($1 AS VARCHAR), CAST($2 AS TEXT), CAST($3 AS INTEGER), "
                 "CAST($4 AS INTEGER), now() WHERE NOT EXISTS "
                 "(SELECT 1 FROM awards WHERE name = CAST($1 AS VARCHAR))",
                 {std::string(a.name), std::string(a.description), a.threshold, a.prize});
    }
  }
  if (created) reset_sequence(c, "awards");
}

void seed_content_items(Connection& c, bool created) {
  int64_t id = 1;
  for (const auto& ci : schema::content_item_seeds()) {
    if (created) {
      exec_built(c, "mig_seed_item_id",
                 "INSERT INTO content_items (id, item_type, title, creator, release_year, "
                 "created_at) VALUES ($1, $2, $3, $4, $5, now())",
                 {id++, std::string(ci.type), std::string(ci.title), std::string(ci.creator),
                  ci.year});
    } else {
      exec_built(c, "mig_seed_item_title",
                 "INSERT INTO content_items (item_type, title, creator, release_year, created_at) "
                 "SELECT CAST($1 AS VARCHAR), CAST($2 AS VARCHAR), CAST($3 AS VARCHAR), "
                 "CAST($4 AS INTEGER), now() WHERE NOT EXISTS "
                 "(SELECT 1 FROM content_items WHERE title = CAST($2 AS VARCHAR))",
                 {std::string(ci.type), std::string(ci.title), std::string(ci.creator), ci.year});
    }
  }
  if (created) reset_sequence(c, "content_items");
}

void apply_baseline(Connection& c) {
  const Dialect d = c.dialect();
  const Introspection info = introspect(c);
  std::set<std::string> created;
  for (const auto& t : schema::reference_tables()) {
    const std::string name(t.name);
    if (!info.tables.count(name)) {
      c.exec_script(schema::create_table_sql(t, d));
      for (const auto& idx : t.indexes) c.exec_script(idx);
      created.insert(name);
      continue;
    }
    const auto& have = info.columns.at(name);
    for (const auto& col : t.columns) {
      if (!have.count(std::string(col.name))) {
        log::warn("adding missing column", {{"table", name}, {"column", col.name}});
        c.exec_script(schema::add_column_sql(t, col, d));
      }
    }
  }
  for (const auto& seed : schema::lookup_seeds()) {
    seed_lookup(c, seed, created.count(std::string(seed.table)) > 0);
  }
  seed_awards(c, created.count("awards") > 0);
  seed_content_items(c, created.count("content_items") > 0);
}

// ---- 0002 onwards: db/schema/NNNN_name[.postgres|.sqlite].sql ----

struct Migration {
  std::string version;
  std::string description;
  std::function<std::string(Dialect)> definition;
  // `fresh`: this run created the database (every migration runs in one transaction then).
  std::function<void(Connection&, bool fresh)> apply;
};

// "0004_post_bookmarks" -> "post bookmarks"
std::string description_of(std::string_view version) {
  std::string d(version.substr(version.find('_') + 1));
  for (char& c : d) {
    if (c == '_') c = ' ';
  }
  return d;
}

// The first line that marks a migration whose statements run only on a database this run
// creates (constraints an adopted database must never get, schema.md §6.3); elsewhere it is
// recorded without running.
constexpr std::string_view kFreshOnlyMarker = "-- carat: fresh databases only";

// `ALTER TABLE <table> ADD COLUMN <column> ...`: the table and the column, lower-cased.
std::optional<std::pair<std::string, std::string>> added_column(std::string_view stmt) {
  std::vector<std::string> words;
  size_t i = 0;
  while (words.size() < 6 && i < stmt.size()) {
    while (i < stmt.size() && std::isspace(static_cast<unsigned char>(stmt[i]))) ++i;
    size_t start = i;
    while (i < stmt.size() && !std::isspace(static_cast<unsigned char>(stmt[i]))) ++i;
    if (i > start) words.push_back(text::to_lower_ascii(stmt.substr(start, i - start)));
  }
  if (words.size() < 6 || words[0] != "alter" || words[1] != "table" || words[3] != "add" ||
      words[4] != "column") {
    return std::nullopt;
  }
  return std::make_pair(words[2], words[5]);
}

// Runs a migration file. An ADD COLUMN whose column exists already is skipped: the file
// migrations adopt databases that got some of their objects elsewhere (upstream's own
// migrations, create_all, start-up ALTERs), so "add when missing" is the rule, as in 0001.
void apply_sql_file(Connection& c, std::string_view script, bool fresh) {
  if (script.starts_with(kFreshOnlyMarker) && !fresh) {
    log::info("migration runs on fresh databases only: recorded without running");
    return;
  }
  for (const auto& stmt : split_sql_statements(script)) {
    if (auto column = added_column(stmt)) {
      if (!c.exec(q::kColumnExists, {column->first, column->second}).empty()) continue;
      log::warn("adding missing column", {{"table", column->first}, {"column", column->second}});
    }
    c.exec_script(stmt);
  }
}

// The file migrations grouped by version: one text for both dialects, or one per dialect.
std::vector<Migration> file_migrations() {
  struct Texts {
    std::optional<std::string_view> both, postgres, sqlite;
  };
  std::map<std::string, Texts> by_version;
  for (const auto& f : schema::migration_files()) {
    std::string_view name = f.name;
    name.remove_suffix(std::string_view(".sql").size());
    auto& texts = by_version[std::string(name.substr(0, name.find('.')))];
    if (name.ends_with(".postgres")) {
      texts.postgres = f.text;
    } else if (name.ends_with(".sqlite")) {
      texts.sqlite = f.text;
    } else {
      texts.both = f.text;
    }
  }
  std::vector<Migration> out;
  for (const auto& [version, texts] : by_version) {
    const auto pg = texts.postgres ? texts.postgres : texts.both;
    const auto lite = texts.sqlite ? texts.sqlite : texts.both;
    if (!pg || !lite || (texts.both && (texts.postgres || texts.sqlite))) {
      throw MigrationError("migration " + version +
                           " needs NNNN_name.sql or both NNNN_name.postgres.sql and "
                           "NNNN_name.sqlite.sql in src/db/schema");
    }
    auto text = [pg = *pg, lite = *lite](Dialect d) { return d == Dialect::kPostgres ? pg : lite; };
    out.push_back({version, description_of(version),
                   [text](Dialect d) { return std::string(text(d)); },
                   [text](Connection& c, bool fresh) { apply_sql_file(c, text(c.dialect()), fresh); }});
  }
  return out;
}

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = [] {
    std::vector<Migration> all = {
        {"0001_baseline", "reference schema (22 tables), missing columns, lookup seed rows",
         baseline_definition, [](Connection& c, bool) { apply_baseline(c); }}};
    for (auto& m : file_migrations()) all.push_back(std::move(m));
    return all;
  }();
  return list;
}

bool any_reference_table(const Introspection& info) {
  for (const auto& t : schema::reference_tables()) {
    if (info.tables.count(std::string(t.name))) return true;
  }
  return false;
}

std::vector<std::string> missing_columns(const Introspection& info) {
  std::vector<std::string> missing;
  for (const auto& t : schema::reference_tables()) {
    const std::string name(t.name);
    auto it = info.columns.find(name);
    if (it == info.columns.end()) {
      missing.push_back(name + " (table)");
      continue;
    }
    for (const auto& col : t.columns) {
      if (!it->second.count(std::string(col.name))) missing.push_back(name + "." + std::string(col.name));
    }
  }
  return missing;
}

void check_lookup_ids(Connection& c) {
  std::vector<std::string> missing;
  if (c.exec(q::kLookupIdOne).i64(0, 0) == 0) missing.push_back("orientations id 1");
  if (c.exec(q::kLookupIdOneGenders).i64(0, 0) == 0) missing.push_back("genders id 1");
  if (c.exec(q::kLookupIdOnePronouns).i64(0, 0) == 0) missing.push_back("pronouns id 1");
  if (!missing.empty()) {
    std::string msg = "lookup rows missing:";
    for (const auto& m : missing) msg += " " + m;
    throw MigrationError(msg);
  }
}

// Holds the PostgreSQL advisory lock for the whole run (released on every exit path).
class MigrationLock {
 public:
  explicit MigrationLock(Connection& c) : c_(c) {
    if (c_.dialect() == Dialect::kPostgres) c_.exec(q::kLock);
  }
  ~MigrationLock() {
    try {
      if (c_.dialect() == Dialect::kPostgres && c_.healthy()) c_.exec(q::kUnlock);
    } catch (...) {
    }
  }

 private:
  Connection& c_;
};

}  // namespace

std::vector<MigrationInfo> migration_list() {
  std::vector<MigrationInfo> out;
  for (const auto& m : migrations()) {
    out.push_back({m.version, m.description, crypto::sha256_hex(m.definition(Dialect::kPostgres)),
                   crypto::sha256_hex(m.definition(Dialect::kSqlite))});
  }
  return out;
}

MigrationReport migrate(Connection& c, const std::string& service_version) {
  MigrationReport report;
  try {
    MigrationLock lock(c);
    Introspection info = introspect(c);
    report.fresh_install = !any_reference_table(info);
    if (!info.tables.count("carat_schema_migrations")) c.exec(q::kCreateTracking);

    std::map<std::string, std::string> applied;
    auto rows = c.exec(q::kApplied);
    for (size_t r = 0; r < rows.rows(); ++r) applied[rows.str(r, 0)] = rows.str(r, 1);

    // A database this run creates is built in one transaction, so it is never left half-made,
    // and stamped for Alembic at the end: upstream's `alembic upgrade head` is then a no-op.
    std::optional<Transaction> fresh_tx;
    if (report.fresh_install) fresh_tx.emplace(c, true);
    std::set<std::string> known;
    for (const auto& m : migrations()) {
      known.insert(m.version);
      const std::string checksum = crypto::sha256_hex(m.definition(c.dialect()));
      if (auto it = applied.find(m.version); it != applied.end()) {
        if (it->second != checksum) {
          throw MigrationError("migration " + std::string(m.version) +
                               " was recorded with checksum " + it->second +
                               " but this build has " + checksum +
                               "; a released migration must never change");
        }
        continue;
      }
      log::info("applying migration", {{"version", m.version}, {"description", m.description}});
      std::optional<Transaction> tx;
      if (!fresh_tx) tx.emplace(c, true);
      m.apply(c, report.fresh_install);
      c.exec(q::kRecord, {m.version, m.description, checksum, service_version});
      if (tx) tx->commit();
      report.applied.emplace_back(m.version);
    }
    if (fresh_tx) {
      if (!info.tables.count("alembic_version")) {
        c.exec(q::kCreateAlembic);
        c.exec(q::kStampAlembic, {kAlembicHead});
      }
      fresh_tx->commit();
    }
    for (const auto& [version, sum] : applied) {
      if (!known.count(version)) report.unknown_versions.push_back(version);
    }

    if (!report.applied.empty()) info = introspect(c);  // the schema changed: look again
    if (auto missing = missing_columns(info); !missing.empty()) {
      std::string msg = "schema incomplete after migrations, missing:";
      for (const auto& m : missing) msg += " " + m;
      throw MigrationError(msg);
    }
    check_lookup_ids(c);
    report.naive_timestamp_columns = info.naive_timestamps;
    if (info.tables.count("alembic_version")) {
      auto v = c.exec(q::kAlembicVersion);
      if (!v.empty()) report.alembic_version = v.str(0, 0);
    }
  } catch (const DbError& e) {
    throw MigrationError(std::string("database error during migration: ") + e.what());
  }
  return report;
}

void verify_schema(Connection& c) {
  try {
    Introspection info = introspect(c);
    if (auto missing = missing_columns(info); !missing.empty()) {
      std::string msg = "schema incomplete (run `carat migrate`), missing:";
      for (const auto& m : missing) msg += " " + m;
      throw MigrationError(msg);
    }
    std::set<std::string> applied;
    if (info.tables.count("carat_schema_migrations")) {
      auto rows = c.exec(q::kApplied);
      for (size_t r = 0; r < rows.rows(); ++r) applied.insert(rows.str(r, 0));
    }
    for (const auto& m : migrations()) {
      if (!applied.count(m.version)) {
        throw MigrationError("migration " + std::string(m.version) +
                             " is pending; run `carat migrate` (RUN_MIGRATIONS=false was set)");
      }
    }
    check_lookup_ids(c);
  } catch (const DbError& e) {
    throw MigrationError(std::string("database error while verifying the schema: ") + e.what());
  }
}

bool is_known_alembic_revision(std::string_view revision) {
  static constexpr std::string_view kKnown[] = {
      "7bb188854c12",        "4daec458e3d1",        "588b4fd8ab1a",
      "20251017_matching",   "1d109dfa4081",        "7a24683abf6e",
      "add_chat_request_001", "add_image_url_001",  "add_carats_001"};
  for (auto k : kKnown) {
    if (k == revision) return true;
  }
  return false;
}

std::vector<std::string> split_sql_statements(std::string_view script) {
  std::vector<std::string> out;
  std::string current;
  bool has_text = false;  // the current statement holds more than white space and comments
  auto flush = [&] {
    if (has_text) out.push_back(std::move(current));
    current.clear();
    has_text = false;
  };
  size_t i = 0;
  while (i < script.size()) {
    const char ch = script[i];
    if (ch == '-' && script.substr(i, 2) == "--") {  // comment to the end of the line
      i = script.find('\n', i);
      if (i == std::string_view::npos) break;
      continue;
    }
    if (ch == '/' && script.substr(i, 2) == "/*") {
      const size_t end = script.find("*/", i + 2);
      i = end == std::string_view::npos ? script.size() : end + 2;
      current.push_back(' ');
      continue;
    }
    if (ch == '\'' || ch == '"') {  // a quoted literal or identifier ('' and "" escape)
      size_t end = i + 1;
      while (end < script.size()) {
        if (script[end] == ch) {
          if (end + 1 < script.size() && script[end + 1] == ch) {
            end += 2;
            continue;
          }
          break;
        }
        ++end;
      }
      end = std::min(end + 1, script.size());
      current.append(script.substr(i, end - i));
      has_text = true;
      i = end;
      continue;
    }
    if (ch == '$') {  // $$ or $tag$ dollar quoting (PostgreSQL function bodies)
      size_t tag_end = i + 1;
      while (tag_end < script.size() &&
             (std::isalnum(static_cast<unsigned char>(script[tag_end])) || script[tag_end] == '_')) {
        ++tag_end;
      }
      if (tag_end < script.size() && script[tag_end] == '$' &&
          !std::isdigit(static_cast<unsigned char>(script[i + 1]))) {
        const std::string_view tag = script.substr(i, tag_end - i + 1);
        const size_t close = script.find(tag, tag_end + 1);
        const size_t end = close == std::string_view::npos ? script.size() : close + tag.size();
        current.append(script.substr(i, end - i));
        has_text = true;
        i = end;
        continue;
      }
    }
    if (ch == ';') {
      flush();
      ++i;
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(ch))) has_text = true;
    current.push_back(ch);
    ++i;
  }
  flush();
  for (auto& stmt : out) {
    const size_t first = stmt.find_first_not_of(" \t\r\n");
    const size_t last = stmt.find_last_not_of(" \t\r\n");
    stmt = stmt.substr(first, last - first + 1);
  }
  return out;
}

}  // namespace carat::db
