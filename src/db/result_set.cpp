// ResultSet: query results in text form, and the shape check of row binding (db/row.hpp).
#include <charconv>

#include "db/database.hpp"
#include "db/row.hpp"

namespace carat::db {

void ResultSet::reset(size_t cols) {
  rows_ = 0;
  cols_ = cols;
  affected_ = 0;
  cells_.clear();
  data_.clear();
}

void ResultSet::add_cell(const char* data, size_t len) {
  cells_.push_back(Cell{data_.size(), len, false});
  data_.append(data, len);
}

void ResultSet::add_null() { cells_.push_back(Cell{data_.size(), 0, true}); }

std::string_view ResultSet::text(size_t r, size_t c) const {
  const Cell& cell = cells_[r * cols_ + c];
  return std::string_view(data_).substr(cell.offset, cell.len);
}

std::optional<std::string> ResultSet::opt_str(size_t r, size_t c) const {
  if (is_null(r, c)) return std::nullopt;
  return std::string(text(r, c));
}

int64_t ResultSet::i64(size_t r, size_t c) const {
  const std::string_view t = text(r, c);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc()) {
    // SQLite may hand back a REAL for an aggregate; PostgreSQL numeric text like "3.0".
    double d = 0;
    auto [p2, ec2] = std::from_chars(t.data(), t.data() + t.size(), d);
    if (ec2 == std::errc()) return static_cast<int64_t>(d);
  }
  return v;
}

std::optional<int64_t> ResultSet::opt_i64(size_t r, size_t c) const {
  if (is_null(r, c)) return std::nullopt;
  return i64(r, c);
}

bool ResultSet::boolean(size_t r, size_t c, bool if_null) const {
  if (is_null(r, c)) return if_null;
  const std::string_view t = text(r, c);
  return t == "t" || t == "true" || t == "1" || t == "TRUE";
}

void check_row_shape(const ResultSet& rs, size_t members, std::string_view row_type) {
  if (rs.cols() != members) {
    throw DbError(DbError::Kind::kOther,
                  "row type " + std::string(row_type) + " has " + std::to_string(members) +
                      " members but the query returned " + std::to_string(rs.cols()) + " columns");
  }
}

}  // namespace carat::db
