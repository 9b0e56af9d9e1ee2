// Timestamps: the one place that knows the database text forms and the API output form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace carat::timeutil {

// Microseconds since the Unix epoch, UTC.
using Micros = int64_t;

// A timestamp read from the database, held in the API output form (db_to_api applied once, when
// the row was read): what every response writes. A strange legacy value stays as stored.
struct Timestamp {
  std::string api;
  bool operator==(const Timestamp&) const = default;
};

Micros now_micros();
int64_t now_seconds();

// "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (fraction only when non-zero), the API output form.
std::string format_api(Micros t);
// "YYYY-MM-DD HH:MM:SS.ffffff", the SQLite storage form (SQLAlchemy's, sorts as text).
std::string format_sqlite(Micros t);
// "YYYY-MM-DD HH:MM:SS.ffffff+00", an unambiguous timestamptz literal for PostgreSQL binds.
std::string format_pg(Micros t);

// Parses a timestamp as the databases print it: "YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}]" with an
// optional "Z" or "±HH[:MM[:SS]]" offset. Without an offset the value is taken as
// `default_offset_seconds` east of UTC (0 for UTC).
std::optional<Micros> parse_db(std::string_view text, int default_offset_seconds = 0);

// Offset east of UTC for timestamps the database prints without a zone (legacy `timestamp
// without time zone` columns hold wall-clock time of the database's default zone). Set once at
// start-up; 0 unless such columns exist.
void set_naive_offset_seconds(int seconds);
int naive_offset_seconds();

// Converts a database timestamp to the API form. Unparseable text is returned unchanged, so a
// strange legacy value is shown rather than dropped.
std::string db_to_api(std::string_view text, int default_offset_seconds);
std::string db_to_api(std::string_view text);  // with naive_offset_seconds()

// Input datetime of the API (api.md §1.3): "YYYY-MM-DD[T| ]HH:MM[:SS[.f{1,6}]]" with optional
// "Z"/"±HH:MM", or a bare date. On failure `error` holds the pydantic-style reason.
std::optional<Micros> parse_api_datetime(std::string_view text, std::string& error);

// "YYYY-MM-DD" with a real calendar date.
bool is_valid_date(std::string_view text);

}  // namespace carat::timeutil
