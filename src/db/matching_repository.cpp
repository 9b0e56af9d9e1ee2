#include "db/matching_repository.hpp"

#include <string>
#include <utility>

#include "db/statement_cache.hpp"

namespace carat::db {

namespace matching_sql {

namespace {

// The equality filters of SearchFilter, in member order (bits 0..5), then hobbies (bit 6).
struct SearchColumn {
  std::optional<std::string> SearchFilter::*value;
  const char* column;
};
constexpr SearchColumn kSearchColumns[] = {
    {&SearchFilter::prefecture, "mp.prefecture"},
    {&SearchFilter::age_band, "mp.age_band"},
    {&SearchFilter::occupation, "mp.occupation"},
    {&SearchFilter::income_range, "mp.income_range"},
    {&SearchFilter::meet_pref, "mp.meet_pref"},
    {&SearchFilter::identity, "mp.identity"},
};
constexpr unsigned kHobbiesBit = 1U << 6;
constexpr size_t kSearchShapes = 1U << 7;

std::string search_sql(Dialect d, unsigned filters) {
  // Listed profiles of active members other than the caller. One row per profile: a hobby
  // filter is an EXISTS, never a join that would repeat a profile once per matching hobby.
  std::string sql =
      "SELECT mp.user_id, u.display_name, mp.prefecture, mp.age_band, mp.identity, "
      "mp.romance_targets, (SELECT i.image_url FROM matching_profile_images i "
      "WHERE i.profile_id = mp.user_id ORDER BY i.display_order, i.id LIMIT 1), "
      "count(*) OVER () FROM matching_profiles mp JOIN users u ON u.id = mp.user_id "
      "WHERE mp.display_flag = true AND u.is_active IS NOT false AND mp.user_id <> $1";
  int next = 4;
  for (size_t i = 0; i < std::size(kSearchColumns); ++i) {
    if ((filters & (1U << i)) != 0) {
      sql += std::string(" AND ") + kSearchColumns[i].column + " = $" + std::to_string(next++);
    }
  }
  if ((filters & kHobbiesBit) != 0) {
    const std::string names = d == Dialect::kPostgres
                                  ? "SELECT json_array_elements_text($" + std::to_string(next) +
                                        "::json)"
                                  : "SELECT value FROM json_each($" + std::to_string(next) + ")";
    sql += " AND EXISTS (SELECT 1 FROM matching_profile_hobbies mh JOIN hobbies h "
           "ON h.id = mh.hobby_id WHERE mh.profile_id = mp.user_id AND h.name IN (" +
           names + "))";
  }
  return sql + " ORDER BY mp.user_id LIMIT $2 OFFSET $3";
}

}  // namespace

const Select<SearchRow>& search(Dialect d, unsigned filters) {
  static const ShapedStatements<SearchRow, kSearchShapes> pg;
  static const ShapedStatements<SearchRow, kSearchShapes> lite;
  const auto& shapes = d == Dialect::kPostgres ? pg : lite;
  return shapes.get(filters, [&] {
    return std::pair(std::string(d == Dialect::kPostgres ? "matching_search_pg_"
                                                         : "matching_search_lite_") +
                         std::to_string(filters),
                     search_sql(d, filters));
  });
}

}  // namespace matching_sql

std::vector<SearchRow> MatchingRepository::search(const SearchFilter& f) {
  unsigned filters = 0;
  Params params = {f.caller, f.limit, f.offset};
  for (size_t i = 0; i < std::size(matching_sql::kSearchColumns); ++i) {
    if (const auto& value = f.*matching_sql::kSearchColumns[i].value) {
      filters |= 1U << i;
      params.emplace_back(*value);
    }
  }
  if (!f.hobbies.empty()) {
    filters |= matching_sql::kHobbiesBit;
    params.emplace_back(json_array(f.hobbies));
  }
  return fetch_all(c_, matching_sql::search(c_.dialect(), filters), params);
}

}  // namespace carat::db
