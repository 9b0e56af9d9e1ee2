// Categories and their subcategories (upstream 7750a50's /api/categories), public.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/categories_repository.hpp"
#include "db/database.hpp"

namespace carat::domain {

struct Category {
  db::CategoryRow category;
  std::vector<db::SubcategoryRow> subcategories;  // by order_index
};

// Every category by order_index, each with its subcategories (two queries whatever the count).
std::vector<Category> all_categories(db::Connection& c);
// One category by slug; 404 "カテゴリーが見つかりません".
Category category_by_slug(db::Connection& c, const std::string& slug);

}  // namespace carat::domain
