#include "domain/categories.hpp"

#include <map>

#include "errors/errors.hpp"

namespace carat::domain {

std::vector<Category> all_categories(db::Connection& c) {
  db::CategoriesRepository categories(c);
  std::vector<Category> out;
  std::map<int64_t, size_t> index;
  for (auto& row : categories.all()) {
    index[row.id] = out.size();
    out.push_back({std::move(row), {}});
  }
  for (auto& sub : categories.all_subcategories()) {
    if (auto it = index.find(sub.category_id); it != index.end()) {
      out[it->second].subcategories.push_back(std::move(sub));
    }
  }
  return out;
}

Category category_by_slug(db::Connection& c, const std::string& slug) {
  db::CategoriesRepository categories(c);
  auto row = categories.by_slug(slug);
  if (!row) throw errors::not_found("カテゴリーが見つかりません");
  const int64_t id = row->id;
  return {std::move(*row), categories.subcategories_of(id)};
}

}  // namespace carat::domain
