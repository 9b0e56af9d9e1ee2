// Statements whose text is built at run time: one per shape of a query with optional filters
// (the posts list, the matching search). A query's name and text are views (db::Query), so the
// built strings live here, at addresses a deque never moves, for the life of the process.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <utility>

#include "db/row.hpp"

namespace carat::db {

// Owns the texts of statements built once.
class StatementTexts {
 public:
  StatementTexts() = default;
  StatementTexts(const StatementTexts&) = delete;
  StatementTexts& operator=(const StatementTexts&) = delete;

  // A statement over copies of `name` and `text`. Thread-safe.
  template <class Row>
  Select<Row> make(std::string name, std::string text) const {
    std::lock_guard lock(mutex_);
    const std::string& n = texts_.emplace_back(std::move(name));
    const std::string& t = texts_.emplace_back(std::move(text));
    return Select<Row>(n, t);
  }

 private:
  mutable std::mutex mutex_;
  mutable std::deque<std::string> texts_;
};

// N shapes of one query, each built the first time it is asked for (request threads may ask
// concurrently), then kept. `build()` returns {name, text}.
template <class Row, size_t N>
class ShapedStatements {
 public:
  template <class Build>
  const Select<Row>& get(size_t shape, Build&& build) const {
    std::call_once(built_[shape], [&] {
      auto [name, text] = build();
      statements_[shape] = texts_.make<Row>(std::move(name), std::move(text));
    });
    return statements_[shape];
  }

 private:
  StatementTexts texts_;
  mutable std::array<Select<Row>, N> statements_;
  mutable std::array<std::once_flag, N> built_;
};

}  // namespace carat::db
