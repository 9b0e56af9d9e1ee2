#include "db/sql/posts.hpp"

#include <map>
#include <mutex>

namespace carat::db::sql::posts {

namespace {

// Visibility of post `p` to caller $1 (api.md §1.7); anonymous callers pass 0, which is no id.
constexpr const char* kVisible =
    "(p.user_id = $1 OR ((p.status IS NULL OR p.status = 'published') AND ("
    "p.visibility IS NULL OR p.visibility = 'public' "
    "OR (p.visibility = 'members' AND $1 > 0) "
    "OR (p.visibility = 'followers' AND EXISTS (SELECT 1 FROM follows f WHERE "
    "f.follower_user_id = $1 AND f.followee_user_id = p.user_id AND f.status = 'accepted')))))";

constexpr const char* kPostColumns =
    "p.id, p.user_id, p.title, p.body, p.visibility, p.youtube_url, p.media_id, p.category, "
    "p.subcategory, p.post_type, p.slug, p.status, p.og_image_url, p.excerpt, p.created_at, "
    "p.updated_at";

constexpr const char* kLikeCount =
    "(SELECT count(*) FROM reactions r WHERE r.target_type = 'post' AND r.target_id = p.id "
    "AND r.reaction_type = 'like')";
constexpr const char* kCommentCount = "(SELECT count(*) FROM comments c WHERE c.post_id = p.id)";

std::string media_urls(Dialect d) {
  if (d == Dialect::kPostgres) {
    return "(SELECT json_agg(ma.url ORDER BY pm.order_index, pm.media_asset_id) FROM post_media pm "
           "JOIN media_assets ma ON ma.id = pm.media_asset_id WHERE pm.post_id = p.id)";
  }
  return "(SELECT json_group_array(url) FROM (SELECT ma.url AS url FROM post_media pm "
         "JOIN media_assets ma ON ma.id = pm.media_asset_id WHERE pm.post_id = p.id "
         "ORDER BY pm.order_index, pm.media_asset_id))";
}

// The outer select works on the page `p` chosen by an inner query: counts, the author, the
// single image, the image list and tourism details are computed for those rows only.
std::string outer_select(Dialect d) {
  return std::string("SELECT ") + kPostColumns + ", " + kLikeCount + ", " + kCommentCount +
         ", m.url, " + media_urls(d) +
         ", u.display_name, t.post_id, t.prefecture, t.event_datetime, t.meet_place, "
         "t.meet_address, t.tour_content, t.fee, t.contact_phone, t.contact_email, t.deadline, "
         "t.attachment_pdf_url FROM (";
}

constexpr const char* kOuterJoins =
    ") p LEFT JOIN users u ON u.id = p.user_id "
    "LEFT JOIN media_assets m ON m.id = p.media_id "
    "LEFT JOIN posts_tourism t ON t.post_id = p.id AND p.post_type = 'tourism'";

// The count a sort needs inside the page query (none for newest, so that query can walk the
// created_at index and stop after the page).
std::string sort_count_column(Sort sort) {
  switch (sort) {
    case Sort::kPopular: return std::string(", ") + kLikeCount + " AS sort_count";
    case Sort::kComments: return std::string(", ") + kCommentCount + " AS sort_count";
    case Sort::kNewest: break;
  }
  return "";
}

// `inner`: inside the page query the sort count is a select-list alias; outside it is a column
// of the derived table `p`.
std::string order_by(Dialect d, Sort sort, bool inner) {
  // NULL created_at (legacy rows only) sorts last; the PostgreSQL index of migration 0003 has
  // this order, SQLite puts NULLs last in DESC already.
  const std::string created = d == Dialect::kPostgres ? "p.created_at DESC NULLS LAST"
                                                      : "p.created_at DESC";
  const std::string count = inner ? "sort_count" : "p.sort_count";
  if (sort == Sort::kNewest) return " ORDER BY " + created + ", p.id DESC";
  return " ORDER BY " + count + " DESC, " + created + ", p.id DESC";
}

std::string category_match(Dialect d, int value_param, int matcher_param) {
  const std::string v = "$" + std::to_string(value_param);
  const std::string m = "$" + std::to_string(matcher_param);
  // The cheap substring test lets the exact token check run on few rows.
  if (d == Dialect::kPostgres) {
    return "(p.category = " + v + " OR (strpos(p.body, '#' || " + v + ") > 0 AND p.body ~ " + m +
           "))";
  }
  return "(p.category = " + v + " OR (instr(p.body, '#' || " + v + ") > 0 AND carat_hashtag(p.body, " +
         m + ")))";
}

struct Cache {
  std::mutex mu;
  std::map<std::string, std::pair<std::string, std::string>> entries;  // name -> (name, text)
  std::map<std::string, Query> queries;
};

const Query& cached(const std::string& name, const std::function<std::string()>& build) {
  static Cache cache;
  std::lock_guard lock(cache.mu);
  auto it = cache.queries.find(name);
  if (it != cache.queries.end()) return it->second;
  auto& entry = cache.entries[name];
  entry = {name, build()};
  auto [pos, _] = cache.queries.emplace(name, Query{entry.first, entry.second});
  return pos->second;
}

const char* dialect_tag(Dialect d) { return d == Dialect::kPostgres ? "pg" : "lite"; }

}  // namespace

const Query& list(Dialect d, const ListShape& shape) {
  std::string name = std::string("posts_list_") + dialect_tag(d) + "_" +
                     std::to_string(static_cast<int>(shape.sort)) + (shape.category ? "c" : "") +
                     (shape.visibility ? "v" : "") + (shape.since ? "s" : "");
  return cached(name, [&] {
    std::string where = kVisible;
    int next = 4;
    if (shape.category) {
      where += " AND " + category_match(d, next, next + 1);
      next += 2;
    }
    if (shape.visibility) {
      where += " AND COALESCE(p.visibility, 'public') = $" + std::to_string(next++);
    }
    if (shape.since) where += " AND p.created_at >= $" + std::to_string(next++);
    const std::string inner = std::string("SELECT ") + kPostColumns +
                              sort_count_column(shape.sort) + " FROM posts p WHERE " + where +
                              order_by(d, shape.sort, true) + " LIMIT $2 OFFSET $3";
    return outer_select(d) + inner + kOuterJoins + order_by(d, shape.sort, false);
  });
}

const Query& detail_visible(Dialect d) {
  return cached(std::string("posts_detail_visible_") + dialect_tag(d), [&] {
    return outer_select(d) + "SELECT " + kPostColumns + " FROM posts p WHERE p.id = $2 AND " +
           kVisible + kOuterJoins;
  });
}

const Query& detail_any(Dialect d) {
  return cached(std::string("posts_detail_any_") + dialect_tag(d), [&] {
    return outer_select(d) + "SELECT " + kPostColumns + " FROM posts p WHERE p.id = $1" +
           kOuterJoins;
  });
}

const Query& category_items(Dialect d) {
  return cached(std::string("posts_category_items_") + dialect_tag(d), [&] {
    const std::string created = d == Dialect::kPostgres ? "p.created_at DESC NULLS LAST"
                                                        : "p.created_at DESC";
    return std::string("SELECT p.id, p.title, p.body, p.created_at FROM posts p WHERE ") +
           kVisible + " AND " + category_match(d, 4, 5) + " ORDER BY " + created +
           ", p.id DESC LIMIT $2 OFFSET $3";
  });
}

const Query& visible_post_owner(Dialect d) {
  return cached(std::string("posts_visible_owner_") + dialect_tag(d), [&] {
    return std::string("SELECT p.user_id FROM posts p WHERE p.id = $2 AND ") + kVisible;
  });
}

std::string hashtag_matcher(Dialect d, const std::string& category) {
  if (d == Dialect::kSqlite) return category;
  // A PostgreSQL regex: '#', the category with every metacharacter escaped, then end of text or
  // a character that is not a letter, digit or underscore (Unicode-aware under a UTF-8 locale).
  std::string out = "#";
  for (char c : category) {
    if (std::string_view("\\^$.|?*+()[]{}-").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  out += "([^[:alnum:]_]|$)";
  return out;
}

}  // namespace carat::db::sql::posts
