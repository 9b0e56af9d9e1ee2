#include "domain/posts.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "db/point_events_repository.hpp"
#include "db/users_repository.hpp"
#include "domain/ids.hpp"
#include "domain/media.hpp"
#include "domain/notifications.hpp"
#include "errors/errors.hpp"
#include "util/strings.hpp"

namespace carat::domain {

namespace {

// The urls of a post's images: a JSON array built by the database (json_agg /
// json_group_array), strings only.
std::vector<std::string> parse_media_urls(const std::optional<std::string>& json) {
  std::vector<std::string> urls;
  if (!json) return urls;
  const auto parsed = nlohmann::json::parse(*json, nullptr, false);
  if (!parsed.is_array()) return urls;
  for (const auto& u : parsed) {
    if (u.is_string()) urls.push_back(u.get<std::string>());
  }
  return urls;
}

Post from_row(db::PostRow row) {
  db::RawPostRow& raw = row.post;
  Post p;
  p.id = raw.id;
  p.user_id = raw.user_id;
  p.title = std::move(raw.columns.title);
  p.body = raw.columns.body.value_or("");
  p.visibility = raw.columns.visibility.value_or("public");
  p.youtube_url = std::move(raw.columns.youtube_url);
  p.media_id = raw.columns.media_id;
  p.category = std::move(raw.columns.category);
  p.subcategory = std::move(raw.columns.subcategory);
  p.post_type = raw.columns.post_type.value_or("post");
  p.slug = std::move(raw.columns.slug);
  p.status = raw.columns.status.value_or("published");
  p.og_image_url = std::move(raw.columns.og_image_url);
  p.excerpt = std::move(raw.columns.excerpt);
  p.media_url = std::move(row.media_url);
  p.media_urls = parse_media_urls(row.media_urls_json);
  if (p.post_type == "tourism" && row.tourism.post_id) p.tourism_details = std::move(row.tourism);
  p.created_at = std::move(raw.created_at);
  p.updated_at = std::move(raw.updated_at);
  p.like_count = row.like_count;
  p.comment_count = row.comment_count;
  p.is_liked = row.is_liked;
  p.user_display_name = std::move(row.user_display_name);
  return p;
}

std::optional<Post> from_row(std::optional<db::PostRow> row) {
  if (!row) return std::nullopt;
  return from_row(std::move(*row));
}

// Duplicates removed (first kept), then the first five (api.md §5.2).
std::vector<int64_t> normalized_media_ids(const std::vector<int64_t>& ids) {
  std::vector<int64_t> out;
  for (int64_t id : ids) {
    if (out.size() == 5) break;
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

// The media rule of api.md §5.2; throws UnusableMedia naming every unusable image. Only the ids
// that are kept (normalized_media_ids: at most five) are looked up, each reported at the index of
// its first occurrence: the rest of a list is dropped unread, so a long list costs no lookups
// (issue 14 item 8: 100,000 ids were each looked up and listed, over 10 MiB per request).
void check_media(db::Connection& c, const User& user, const PostDraft& d) {
  const std::optional<int64_t> media_id = given(d.media_id);
  std::vector<int64_t> ids =
      d.media_ids ? normalized_media_ids(*d.media_ids) : std::vector<int64_t>();
  const size_t kept = ids.size();
  if (media_id) ids.push_back(*media_id);
  if (ids.empty()) return;
  const auto usable = usable_media_ids(c, ids, user.id, user.is_admin());
  UnusableMedia unusable;
  unusable.media_id = media_id && !usable.count(*media_id);
  for (size_t k = 0; k < kept; ++k) {
    if (usable.count(ids[k])) continue;
    const auto first = std::find(d.media_ids->begin(), d.media_ids->end(), ids[k]);
    unusable.media_ids.push_back(static_cast<size_t>(first - d.media_ids->begin()));
  }
  if (unusable.media_id || !unusable.media_ids.empty()) throw unusable;
}

db::TourismColumns tourism_columns(const TourismDraft& t) {
  return {given(t.prefecture),        given(t.event_datetime), given(t.meet_place),
          given(t.meet_address),      given(t.tour_content),   given(t.fee),
          given(t.contact_phone),     given(t.contact_email),  given(t.deadline),
          given(t.attachment_pdf_url)};
}

db::TourismPresence tourism_presence(const TourismDraft& t) {
  return {t.prefecture.has_value(),        t.event_datetime.has_value(), t.meet_place.has_value(),
          t.meet_address.has_value(),      t.tour_content.has_value(),   t.fee.has_value(),
          t.contact_phone.has_value(),     t.contact_email.has_value(),  t.deadline.has_value(),
          t.attachment_pdf_url.has_value()};
}

// Loads the post for a write by `user`: 404 when missing or invisible to a non-author non-admin,
// 403 when visible but not theirs (api.md §5.4). Returns the post's own media_id.
std::optional<int64_t> authorize_post_write(db::PostsRepository& posts, const User& user,
                                            int64_t post_id) {
  auto owner = posts.owner(post_id);
  if (!owner) throw errors::not_found("Post not found");
  if (owner->user_id == user.id || user.is_admin()) return owner->media_id;
  if (!posts.visible_author(user.id, post_id)) throw errors::not_found("Post not found");
  throw errors::forbidden("Not enough permissions");
}

// The post as its author or an admin sees it right after a write.
Post written_post(db::PostsRepository& posts, int64_t post_id) {
  auto post = posts.find(post_id);
  if (!post) throw errors::not_found("Post not found");  // deleted right after the commit
  return from_row(std::move(*post));
}

}  // namespace

std::vector<Post> list_posts(db::Connection& c, const PostListQuery& q) {
  auto rows = db::PostsRepository(c).list({q.caller, q.limit, q.offset, q.sort, q.category,
                                           q.visibility, q.since, q.post_type, q.status, q.slug,
                                           q.subcategory});
  std::vector<Post> posts;
  posts.reserve(rows.size());
  for (auto& row : rows) posts.push_back(from_row(std::move(row)));
  return posts;
}

std::optional<Post> find_visible_post(db::Connection& c, int64_t caller, int64_t post_id) {
  if (!valid_id(post_id)) return std::nullopt;
  return from_row(db::PostsRepository(c).find_visible(caller, post_id));
}

std::optional<int64_t> visible_post_author(db::Connection& c, int64_t caller, int64_t post_id) {
  if (!valid_id(post_id)) return std::nullopt;
  return db::PostsRepository(c).visible_author(caller, post_id);
}

std::vector<db::RawPostRow> all_posts_raw(db::Connection& c) {
  return db::PostsRepository(c).all_raw();
}

std::vector<db::CategoryItemRow> category_items(db::Connection& c, int64_t caller,
                                                const std::string& name, int64_t limit,
                                                int64_t offset) {
  return db::PostsRepository(c).category_items(caller, name, limit, offset);
}

Post create_post(db::Connection& c, const User& author, const PostDraft& d) {
  check_media(c, author, d);
  db::PostsRepository posts(c);
  db::PostColumns cols;
  cols.title = given(d.title);
  cols.body = given(d.body).value_or("");
  cols.visibility = given(d.visibility).value_or("public");
  cols.youtube_url = given(d.youtube_url);
  cols.media_id = given(d.media_id);
  cols.category = given(d.category);
  cols.subcategory = given(d.subcategory);
  cols.post_type = given(d.post_type).value_or("post");
  cols.slug = given(d.slug);
  cols.status = given(d.status).value_or("published");
  cols.og_image_url = given(d.og_image_url);
  cols.excerpt = given(d.excerpt);
  int64_t post_id = 0;
  try {
    db::Transaction tx(c, true);
    if (cols.slug) {
      if (posts.slug_taken(*cols.slug)) throw errors::conflict("Slug already exists");
    } else if (cols.post_type == "blog" && cols.title && !cols.title->empty()) {
      // A post not everyone can read gets a random tail on its automatic slug, so the title of a
      // private post or a draft never takes the plain slug (issue 14 item 14: a public post with
      // the same title got "-1", which told that the hidden one exists).
      const bool hidden = cols.visibility != "public" || cols.status != "published";
      cols.slug = unique_slug(
          c, hidden ? slugify(*cols.title) + "-" + text::random_hex(4) : slugify(*cols.title));
    }
    post_id = posts.insert(author.id, cols);
    if (d.media_ids) posts.replace_media(post_id, normalized_media_ids(*d.media_ids));
    if (cols.post_type == "tourism" && d.tourism) {
      posts.insert_tourism(post_id, tourism_columns(*d.tourism));
    }
    db::PointEventsRepository(c).add(author.id, "post_created", 10, "post", post_id);
    tx.commit();
  } catch (const db::DbError& e) {
    if (e.kind() == db::DbError::Kind::kUniqueViolation) {
      throw errors::conflict("Slug already exists");
    }
    if (e.kind() == db::DbError::Kind::kForeignKeyViolation) {
      // The media asset vanished between the check and the insert.
      UnusableMedia vanished;
      vanished.vanished = true;
      throw vanished;
    }
    throw;
  }
  return written_post(posts, post_id);
}

Post update_post(db::Connection& c, const User& user, int64_t post_id, const PostDraft& d) {
  check_media(c, user, d);
  if (!valid_id(post_id)) throw errors::not_found("Post not found");
  db::PostsRepository posts(c);
  try {
    db::Transaction tx(c, true);
    authorize_post_write(posts, user, post_id);
    auto stored = posts.lock_columns(post_id);
    if (!stored) throw errors::not_found("Post not found");
    db::PostColumns cols;
    cols.title = updated(d.title, stored->title);
    cols.body = updated(d.body, stored->body);
    cols.visibility = updated(d.visibility, stored->visibility);
    cols.youtube_url = updated(d.youtube_url, stored->youtube_url);
    cols.media_id = updated(d.media_id, stored->media_id);
    cols.category = updated(d.category, stored->category);
    cols.subcategory = updated(d.subcategory, stored->subcategory);
    cols.post_type = updated(d.post_type, stored->post_type);
    cols.slug = updated(d.slug, stored->slug);
    cols.status = updated(d.status, stored->status);
    cols.og_image_url = updated(d.og_image_url, stored->og_image_url);
    cols.excerpt = updated(d.excerpt, stored->excerpt);
    if (const auto slug = given(d.slug); slug && posts.slug_taken_by_other(*slug, post_id)) {
      throw errors::conflict("Slug already exists");
    }
    posts.update(post_id, cols);
    if (d.media_ids) posts.replace_media(post_id, normalized_media_ids(*d.media_ids));
    if (d.tourism) {
      if (!posts.has_tourism(post_id)) {
        posts.insert_tourism(post_id, tourism_columns(*d.tourism));
      } else {
        posts.update_tourism(post_id, tourism_columns(*d.tourism), tourism_presence(*d.tourism));
      }
    }
    tx.commit();
  } catch (const db::DbError& e) {
    if (e.kind() == db::DbError::Kind::kUniqueViolation) {
      throw errors::conflict("Slug already exists");
    }
    throw;
  }
  return written_post(posts, post_id);
}

void delete_post(db::Connection& c, media::Storage& storage, const User& user, int64_t post_id) {
  if (!valid_id(post_id)) throw errors::not_found("Post not found");
  db::PostsRepository posts(c);
  std::optional<int64_t> media_id;
  {
    db::Transaction tx(c, true);
    media_id = authorize_post_write(posts, user, post_id);
    posts.delete_with_dependents(post_id);
    tx.commit();
  }
  // After the commit, best effort: the post's own image goes when nothing else uses it.
  if (media_id) delete_media_asset_if_orphaned(c, storage, *media_id);
}

LikeResult like_post(db::Connection& c, const User& user, int64_t post_id, LikeAction action) {
  if (!valid_id(post_id)) throw errors::not_found("Post not found");
  db::PostsRepository posts(c);
  db::Transaction tx(c, true);
  const auto author = posts.visible_author(user.id, post_id);
  if (!author) throw errors::not_found("Post not found");
  // Taking a like back stays possible on one's own post (a like from before the rule).
  if (*author == user.id && action != LikeAction::kRemove) {
    throw errors::bad_request("Cannot like your own post");
  }
  LikeResult result;
  db::UsersRepository users(c);
  const bool removed = action != LikeAction::kAdd && posts.remove_like(user.id, post_id);
  if (removed) users.add_carats(*author, -1);
  if (action == LikeAction::kAdd || (action == LikeAction::kToggle && !removed)) {
    result.liked = true;  // also when a concurrent request inserted it first
    if (auto reaction_id = posts.add_like(user.id, post_id)) {
      users.add_carats(*author, 1);
      notify_reaction(c, *author, user, post_id, *reaction_id, "like");
    }
  }
  result.like_count = posts.like_count(post_id);
  tx.commit();
  return result;
}

std::string slugify(std::string_view title) {
  std::u32string kept;
  size_t i = 0;
  while (i < title.size()) {
    const char32_t c = text::to_lower(text::next_code_point(title, i));
    if (text::is_word_char(c) || c == U'-' || text::is_space(c)) kept.push_back(c);
  }
  // Runs of whitespace and '-' become one '-'.
  std::u32string slug;
  bool in_run = false;
  for (char32_t c : kept) {
    if (c == U'-' || text::is_space(c)) {
      if (!in_run) slug.push_back(U'-');
      in_run = true;
    } else {
      slug.push_back(c);
      in_run = false;
    }
  }
  auto trim_dashes = [](std::u32string& s) {
    while (!s.empty() && s.front() == U'-') s.erase(s.begin());
    while (!s.empty() && s.back() == U'-') s.pop_back();
  };
  trim_dashes(slug);
  if (slug.size() > 190) slug.resize(190);
  trim_dashes(slug);
  if (slug.empty()) return "post";
  std::string out;
  for (char32_t c : slug) text::append_utf8(out, c);
  return out;
}

std::string unique_slug(db::Connection& c, const std::string& base) {
  db::PostsRepository posts(c);
  if (!posts.slug_taken(base)) return base;
  for (int n = 1;; ++n) {
    std::string candidate = base + "-" + std::to_string(n);
    if (!posts.slug_taken(candidate)) return candidate;
  }
}

}  // namespace carat::domain
