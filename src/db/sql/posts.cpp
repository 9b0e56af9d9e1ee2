#include "db/sql/posts.hpp"

#include <deque>
#include <string>

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

// NULL created_at (legacy rows only) sorts last; the PostgreSQL index of migration 0003 has this
// order, SQLite puts NULLs last in DESC already.
std::string newest_first(Dialect d) {
  return d == Dialect::kPostgres ? "p.created_at DESC NULLS LAST" : "p.created_at DESC";
}

// `inner`: inside the page query the sort count is a select-list alias; outside it is a column
// of the derived table `p`.
std::string order_by(Dialect d, Sort sort, bool inner) {
  const std::string count = inner ? "sort_count" : "p.sort_count";
  if (sort == Sort::kNewest) return " ORDER BY " + newest_first(d) + ", p.id DESC";
  return " ORDER BY " + count + " DESC, " + newest_first(d) + ", p.id DESC";
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

std::string list_sql(Dialect d, const ListShape& shape) {
  std::string where = kVisible;
  int next = 4;
  if (shape.category) {
    where += " AND " + category_match(d, next, next + 1);
    next += 2;
  }
  if (shape.visibility) where += " AND COALESCE(p.visibility, 'public') = $" + std::to_string(next++);
  if (shape.since) where += " AND p.created_at >= $" + std::to_string(next++);
  const std::string inner = std::string("SELECT ") + kPostColumns + sort_count_column(shape.sort) +
                            " FROM posts p WHERE " + where + order_by(d, shape.sort, true) +
                            " LIMIT $2 OFFSET $3";
  return outer_select(d) + inner + kOuterJoins + order_by(d, shape.sort, false);
}

constexpr int kSorts = 3;
constexpr int kFilterSets = 8;  // category × visibility × since

int filter_set(const ListShape& shape) {
  return (shape.category ? 1 : 0) | (shape.visibility ? 2 : 0) | (shape.since ? 4 : 0);
}

// Every post statement of one dialect, built once: the shapes are a fixed, small set.
class Statements {
 public:
  explicit Statements(Dialect d) {
    const std::string tag = d == Dialect::kPostgres ? "pg" : "lite";
    for (int sort = 0; sort < kSorts; ++sort) {
      for (int set = 0; set < kFilterSets; ++set) {
        const ListShape shape{static_cast<Sort>(sort), (set & 1) != 0, (set & 2) != 0,
                              (set & 4) != 0};
        list[sort][set] = make("posts_list_" + tag + "_" + std::to_string(sort) +
                                   (shape.category ? "c" : "") + (shape.visibility ? "v" : "") +
                                   (shape.since ? "s" : ""),
                               list_sql(d, shape));
      }
    }
    detail_visible = make("posts_detail_visible_" + tag,
                          outer_select(d) + "SELECT " + kPostColumns +
                              " FROM posts p WHERE p.id = $2 AND " + kVisible + kOuterJoins);
    detail_any = make("posts_detail_any_" + tag, outer_select(d) + "SELECT " + kPostColumns +
                                                     " FROM posts p WHERE p.id = $1" + kOuterJoins);
    category_items = make("posts_category_items_" + tag,
                          std::string("SELECT p.id, p.title, p.body, p.created_at FROM posts p "
                                      "WHERE ") +
                              kVisible + " AND " + category_match(d, 4, 5) + " ORDER BY " +
                              newest_first(d) + ", p.id DESC LIMIT $2 OFFSET $3");
    visible_owner = make("posts_visible_owner_" + tag,
                         std::string("SELECT p.user_id FROM posts p WHERE p.id = $2 AND ") +
                             kVisible);
  }
  Statements(const Statements&) = delete;
  Statements& operator=(const Statements&) = delete;

  Query list[kSorts][kFilterSets];
  Query detail_visible, detail_any, category_items, visible_owner;

 private:
  // Queries hold views: the texts live here, at addresses a deque never moves.
  Query make(std::string name, std::string text) {
    const std::string& n = texts_.emplace_back(std::move(name));
    const std::string& t = texts_.emplace_back(std::move(text));
    return Query{n, t};
  }
  std::deque<std::string> texts_;
};

const Statements& statements(Dialect d) {
  static const Statements pg(Dialect::kPostgres);
  static const Statements lite(Dialect::kSqlite);
  return d == Dialect::kPostgres ? pg : lite;
}

}  // namespace

const Query& list(Dialect d, const ListShape& shape) {
  return statements(d).list[static_cast<int>(shape.sort)][filter_set(shape)];
}

const Query& detail_visible(Dialect d) { return statements(d).detail_visible; }

const Query& detail_any(Dialect d) { return statements(d).detail_any; }

const Query& category_items(Dialect d) { return statements(d).category_items; }

const Query& visible_post_owner(Dialect d) { return statements(d).visible_owner; }

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
