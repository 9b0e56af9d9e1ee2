// Rows bound to plain structs. A repository declares, next to each query, the struct its rows
// read into: member i is column i of the select list (Boost.PFR visits an aggregate's members in
// declaration order, as userver binds `pg` rows to a struct). A query's column positions thus
// exist in one place, that struct; nobody else reads a column by its number.
//
//   struct CommentRow { std::string body; std::optional<int64_t> parent_id; int64_t id; ... };
//   inline constexpr db::Select<CommentRow> kGet{"comments_get", "SELECT body, parent_id, id ..."};
//   std::optional<CommentRow> row = db::fetch_one(conn, kGet, {id});
//
// A result whose column count differs from the struct's member count is a programming error and
// throws (every repository query runs in the API tests on both databases).
#pragma once

#include <boost/pfr.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "db/database.hpp"
#include "util/time.hpp"

namespace carat::db {

// A query whose rows read into `Row`.
template <class Row>
struct Select : Query {
  using RowType = Row;
  constexpr Select() = default;
  constexpr Select(std::string_view name, std::string_view pg, std::string_view sqlite = {})
      : Query{name, pg, sqlite} {}
};

// A row of one column.
template <class T>
struct Value {
  T value{};
};

// ---- one column into one member, by the member's type ----
// NULL reads as the type's empty value (0, false, ""); use std::optional where NULL matters.

inline void read_column(const ResultSet& rs, size_t r, size_t c, int64_t& out) {
  out = rs.is_null(r, c) ? 0 : rs.i64(r, c);
}
inline void read_column(const ResultSet& rs, size_t r, size_t c, bool& out) {
  out = rs.boolean(r, c, false);
}
inline void read_column(const ResultSet& rs, size_t r, size_t c, std::string& out) {
  if (rs.is_null(r, c)) {
    out.clear();
  } else {
    out.assign(rs.text(r, c));
  }
}
// Timestamps are converted to the API form once, here (util/time.hpp).
inline void read_column(const ResultSet& rs, size_t r, size_t c, timeutil::Timestamp& out) {
  out.api = rs.is_null(r, c) ? std::string() : timeutil::db_to_api(rs.text(r, c));
}
template <class T>
void read_column(const ResultSet& rs, size_t r, size_t c, std::optional<T>& out) {
  if (rs.is_null(r, c)) {
    out.reset();
    return;
  }
  T value{};
  read_column(rs, r, c, value);
  out = std::move(value);
}

// A member whose type declares `static constexpr bool kColumnGroup = true;` is itself a run of
// consecutive columns (its members, in order): a row can reuse another row's columns, as the
// PostOut row starts with the raw post columns.
template <class T>
concept ColumnGroup = T::kColumnGroup;

// How many columns a member of type T reads.
template <class T>
constexpr size_t column_count() {
  if constexpr (ColumnGroup<T>) {
    return []<size_t... I>(std::index_sequence<I...>) {
      return (column_count<boost::pfr::tuple_element_t<I, T>>() + ... + 0);
    }(std::make_index_sequence<boost::pfr::tuple_size_v<T>>());
  } else {
    return 1;
  }
}

template <class T>
void read_member(const ResultSet& rs, size_t r, size_t& c, T& member) {
  if constexpr (ColumnGroup<T>) {
    boost::pfr::for_each_field(member, [&](auto& m) { read_member(rs, r, c, m); });
  } else {
    read_column(rs, r, c++, member);
  }
}

// Throws when the result does not have one column per member of `Row`.
void check_row_shape(const ResultSet& rs, size_t members, std::string_view row_type);

template <class Row>
Row read_row(const ResultSet& rs, size_t r) {
  Row row{};
  size_t c = 0;
  boost::pfr::for_each_field(row, [&](auto& member) { read_member(rs, r, c, member); });
  return row;
}

template <class Row>
constexpr size_t row_columns() {
  return []<size_t... I>(std::index_sequence<I...>) {
    return (column_count<boost::pfr::tuple_element_t<I, Row>>() + ... + 0);
  }(std::make_index_sequence<boost::pfr::tuple_size_v<Row>>());
}

template <class Row>
std::vector<Row> read_rows(const ResultSet& rs) {
  check_row_shape(rs, row_columns<Row>(), typeid(Row).name());
  std::vector<Row> rows;
  rows.reserve(rs.rows());
  for (size_t r = 0; r < rs.rows(); ++r) rows.push_back(read_row<Row>(rs, r));
  return rows;
}

// ---- running a Select ----

template <class Row>
std::vector<Row> fetch_all(Connection& c, const Select<Row>& q, const Params& params = {}) {
  return read_rows<Row>(c.exec(q, params));
}

// The first row, or nullopt when there is none.
template <class Row>
std::optional<Row> fetch_one(Connection& c, const Select<Row>& q, const Params& params = {}) {
  const ResultSet rs = c.exec(q, params);
  check_row_shape(rs, row_columns<Row>(), typeid(Row).name());
  if (rs.empty()) return std::nullopt;
  return read_row<Row>(rs, 0);
}

// True when the query returns at least one row (existence checks: SELECT 1 ... LIMIT 1).
inline bool exists(Connection& c, const Query& q, const Params& params = {}) {
  return !c.exec(q, params).empty();
}

}  // namespace carat::db
