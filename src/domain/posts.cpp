#include "domain/posts.hpp"

#include <locale.h>
#include <wctype.h>

#include "dto/posts.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"

namespace carat::domain {

namespace sqlp = db::sql::posts;

namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

char32_t to_lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  if (utf8 == static_cast<locale_t>(0)) return c;
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), utf8));
}

bool is_space(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

void trim_dashes(std::u32string& s) {
  while (!s.empty() && s.front() == U'-') s.erase(s.begin());
  while (!s.empty() && s.back() == U'-') s.pop_back();
}

}  // namespace

std::string db_timestamp(db::Dialect d, timeutil::Micros t) {
  return d == db::Dialect::kPostgres ? timeutil::format_pg(t) : timeutil::format_sqlite(t);
}

std::string list_posts_json(db::Connection& c, const PostListQuery& q) {
  sqlp::ListShape shape;
  shape.sort = q.sort;
  shape.category = q.category.has_value();
  shape.visibility = q.visibility.has_value();
  shape.since = q.since.has_value();
  db::Params params{q.caller, q.limit, q.offset};
  if (q.category) {
    params.emplace_back(*q.category);
    params.emplace_back(sqlp::hashtag_matcher(c.dialect(), *q.category));
  }
  if (q.visibility) params.emplace_back(*q.visibility);
  if (q.since) params.emplace_back(db_timestamp(c.dialect(), *q.since));
  auto rs = c.exec(sqlp::list(c.dialect(), shape), params);
  JsonWriter w;
  w.begin_array();
  for (size_t r = 0; r < rs.rows(); ++r) dto::write_post_out(w, rs, r);
  w.end_array();
  return w.take();
}

std::optional<std::string> visible_post_json(db::Connection& c, int64_t caller, int64_t post_id) {
  auto rs = c.exec(sqlp::detail_visible(c.dialect()), {caller, post_id});
  if (rs.empty()) return std::nullopt;
  JsonWriter w;
  dto::write_post_out(w, rs, 0);
  return w.take();
}

std::string post_json(db::Connection& c, int64_t post_id) {
  auto rs = c.exec(sqlp::detail_any(c.dialect()), {post_id});
  JsonWriter w;
  if (rs.empty()) return "null";
  dto::write_post_out(w, rs, 0);
  return w.take();
}

std::optional<int64_t> visible_post_author(db::Connection& c, int64_t caller, int64_t post_id) {
  auto rs = c.exec(sqlp::visible_post_owner(c.dialect()), {caller, post_id});
  if (rs.empty()) return std::nullopt;
  return rs.i64(0, 0);
}

std::string slugify(std::string_view title) {
  std::u32string kept;
  size_t i = 0;
  while (i < title.size()) {
    const char32_t c = to_lower(text::next_code_point(title, i));
    if (text::is_word_char(c) || c == U'-' || is_space(c)) kept.push_back(c);
  }
  // Runs of whitespace and '-' become one '-'.
  std::u32string slug;
  bool in_run = false;
  for (char32_t c : kept) {
    if (c == U'-' || is_space(c)) {
      if (!in_run) slug.push_back(U'-');
      in_run = true;
    } else {
      slug.push_back(c);
      in_run = false;
    }
  }
  trim_dashes(slug);
  if (slug.size() > 190) slug.resize(190);
  trim_dashes(slug);
  if (slug.empty()) return "post";
  std::string out;
  for (char32_t c : slug) append_utf8(out, c);
  return out;
}

std::string unique_slug(db::Connection& c, const std::string& base) {
  if (c.exec(sqlp::kSlugTaken, {base}).empty()) return base;
  for (int n = 1;; ++n) {
    std::string candidate = base + "-" + std::to_string(n);
    if (c.exec(sqlp::kSlugTaken, {candidate}).empty()) return candidate;
  }
}

void delete_post_rows(db::Connection& c, int64_t post_id) {
  for (const db::Query* q :
       {&sqlp::kDeleteCommentReactions, &sqlp::kDeleteCommentPoints, &sqlp::kDeleteComments,
        &sqlp::kDeleteTags, &sqlp::kDeleteReactions, &sqlp::kDeletePoints, &sqlp::kDeleteMedia,
        &sqlp::kDeleteTourism, &sqlp::kDelete}) {
    c.exec(*q, {post_id});
  }
}

LikeResult toggle_like(db::Connection& c, int64_t user_id, int64_t post_id) {
  LikeResult r;
  if (c.exec(sqlp::kUnlike, {user_id, post_id}).empty()) {
    auto inserted = c.exec(sqlp::kLike, {user_id, post_id});
    r.liked = true;  // a concurrent insert that won the race also means "liked"
    if (!inserted.empty()) r.reaction_id = inserted.i64(0, 0);
  }
  r.like_count = c.exec(sqlp::kLikeCount, {post_id}).i64(0, 0);
  return r;
}

void add_point_event(db::Connection& c, int64_t user_id, const char* event, int points,
                     const char* ref_type, int64_t ref_id) {
  c.exec(sqlp::kInsertPointEvent, {user_id, event, points, ref_type, ref_id});
}

}  // namespace carat::domain
