// /api/categories (upstream 7750a50): the categories and subcategories of the site, public.
// (GET /api/categories/{name}/posts, api.md §6, is in handlers/posts.cpp.)
#include "domain/categories.hpp"
#include "dto/categories.hpp"
#include "handlers/common.hpp"

namespace carat::handlers {

namespace {

http::Response list_categories(RequestContext& ctx) {
  return json(dto::categories_json(domain::all_categories(ctx.db())));
}

http::Response get_category(RequestContext& ctx) {
  return json(dto::category_json(domain::category_by_slug(ctx.db(), ctx.path("category_slug"))));
}

http::Response list_subcategories(RequestContext& ctx) {
  return json(dto::subcategories_json(
      domain::category_by_slug(ctx.db(), ctx.path("category_slug")).subcategories));
}

std::vector<Endpoint> routes() {
  return {
      {"GET", "/api/categories", list_categories},
      {"GET", "/api/categories/{category_slug}", get_category},
      {"GET", "/api/categories/{category_slug}/subcategories", list_subcategories},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("categories", &routes);

}  // namespace

}  // namespace carat::handlers
