// Categories and subcategories (upstream 7750a50): queries and rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/row.hpp"

namespace carat::db {

struct CategoryRow {
  int64_t id = 0;
  std::string name;
  std::string slug;
  std::optional<std::string> description;
  std::optional<std::string> icon;
  int64_t order_index = 0;  // NULL reads as 0
};

struct SubcategoryRow {
  int64_t id = 0;
  int64_t category_id = 0;
  std::string name;
  std::string slug;
  int64_t order_index = 0;  // NULL reads as 0
};

namespace categories_sql {

inline constexpr Select<CategoryRow> kAll{
    "categories_all",
    "SELECT id, name, slug, description, icon, order_index FROM categories "
    "ORDER BY COALESCE(order_index, 0), id"};

inline constexpr Select<CategoryRow> kBySlug{
    "categories_by_slug",
    "SELECT id, name, slug, description, icon, order_index FROM categories WHERE slug = $1"};

inline constexpr Select<SubcategoryRow> kAllSubcategories{
    "subcategories_all",
    "SELECT id, category_id, name, slug, order_index FROM subcategories "
    "ORDER BY category_id, COALESCE(order_index, 0), id"};

inline constexpr Select<SubcategoryRow> kSubcategoriesOf{
    "subcategories_of",
    "SELECT id, category_id, name, slug, order_index FROM subcategories WHERE category_id = $1 "
    "ORDER BY COALESCE(order_index, 0), id"};

}  // namespace categories_sql

class CategoriesRepository {
 public:
  explicit CategoriesRepository(Connection& c) : c_(c) {}

  std::vector<CategoryRow> all() { return fetch_all(c_, categories_sql::kAll); }
  std::optional<CategoryRow> by_slug(const std::string& slug) {
    return fetch_one(c_, categories_sql::kBySlug, {slug});
  }
  std::vector<SubcategoryRow> all_subcategories() {
    return fetch_all(c_, categories_sql::kAllSubcategories);
  }
  std::vector<SubcategoryRow> subcategories_of(int64_t category_id) {
    return fetch_all(c_, categories_sql::kSubcategoriesOf, {category_id});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
