// Posts: reads with the visibility rules (api.md §1.7), slugs, the writes of §5, likes (§5.6)
// and the category listing (§6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/posts_repository.hpp"
#include "domain/update.hpp"
#include "domain/users.hpp"
#include "media/storage.hpp"
#include "util/time.hpp"

namespace carat::domain {

// posts.category is VARCHAR(50): a category filter longer than that matches nothing.
inline constexpr size_t kCategoryMaxLength = 50;

// A post as every PostOut answer shows it. NULL columns of legacy rows keep their defaults
// (schema.md §2.2): visibility "public", post_type "post", status "published", body "".
struct Post {
  int64_t id = 0;
  int64_t user_id = 0;
  std::optional<std::string> title;
  std::string body;
  std::string visibility;
  std::optional<std::string> youtube_url;
  std::optional<int64_t> media_id;
  std::optional<std::string> category, subcategory;
  std::string post_type;
  std::optional<std::string> slug;
  std::string status;
  std::optional<std::string> og_image_url, excerpt;
  std::optional<std::string> media_url;
  std::vector<std::string> media_urls;
  std::optional<db::TourismRow> tourism_details;  // tourism posts with a details row only
  std::optional<timeutil::Timestamp> created_at, updated_at;
  int64_t like_count = 0;
  int64_t comment_count = 0;
  std::optional<std::string> user_display_name;
  // The reader likes it (upstream 7750a50's client shows its like button from this).
  bool is_liked = false;
};

using PostSort = db::posts_sql::Sort;

struct PostListQuery {
  int64_t caller = 0;  // 0: anonymous
  int64_t limit = 20;
  int64_t offset = 0;
  PostSort sort = PostSort::kNewest;
  std::optional<std::string> category;
  std::optional<std::string> visibility;
  std::optional<timeutil::Micros> since;
  // Equality filters of upstream 7750a50's blog and category pages.
  std::optional<std::string> post_type, status, slug, subcategory;
};

// A page of posts visible to the caller (one SQL statement).
std::vector<Post> list_posts(db::Connection& c, const PostListQuery& q);
// A post visible to `caller`, or nullopt (missing, hidden, or an id that names nothing).
std::optional<Post> find_visible_post(db::Connection& c, int64_t caller, int64_t post_id);
// The author of a post visible to `caller`, or nullopt when it is missing or hidden.
std::optional<int64_t> visible_post_author(db::Connection& c, int64_t caller, int64_t post_id);

// Every post, raw columns (admin list, api.md §3.5).
std::vector<db::RawPostRow> all_posts_raw(db::Connection& c);
// The category listing (api.md §6.1).
std::vector<db::CategoryItemRow> category_items(db::Connection& c, int64_t caller,
                                                const std::string& name, int64_t limit,
                                                int64_t offset);

// What a create or an update asks for. Each field is absent, null or a value (domain/update.hpp);
// a create reads absent as null or the column's default.
struct TourismDraft {
  Update<std::string> prefecture, meet_place, meet_address, tour_content, contact_phone,
      contact_email, attachment_pdf_url;
  Update<timeutil::Micros> event_datetime, deadline;
  Update<int64_t> fee;
};
struct PostDraft {
  Update<std::string> body, title, visibility, youtube_url, category, subcategory, post_type, slug,
      status, og_image_url, excerpt;
  Update<int64_t> media_id;
  std::optional<std::vector<int64_t>> media_ids;
  std::optional<TourismDraft> tourism;  // an object was sent
};

// The images of a draft that the author may not use (missing, or someone else's unless the
// author is an admin): 422 at ["body","media_id"] and ["body","media_ids",i] (api.md §5.2).
struct UnusableMedia : std::runtime_error {
  UnusableMedia() : std::runtime_error("unusable media") {}
  bool media_id = false;          // draft.media_id
  std::vector<size_t> media_ids;  // indexes into draft.media_ids
  // The asset disappeared between the check and the insert (reported at media_id).
  bool vanished = false;
};

// api.md §5.2: the media rule, then in one transaction the slug (409 when taken; generated for
// blog posts with a title), the post, its images, its tourism details and a point event.
Post create_post(db::Connection& c, const User& author, const PostDraft& draft);

// api.md §5.3/§5.4: the media rule, then 404 (missing, or hidden from a non-author), 403 (not
// the author or an admin), 409 (slug), and the partial update in one transaction.
Post update_post(db::Connection& c, const User& user, int64_t post_id, const PostDraft& draft);

// api.md §5.5: the post and everything attached to it in one transaction; afterwards its own
// image, when nothing else uses it (best effort).
void delete_post(db::Connection& c, media::Storage& storage, const User& user, int64_t post_id);

struct LikeResult {
  bool liked = false;
  int64_t like_count = 0;
};
// The like of a post by `user` (api.md §5.6 and upstream 7750a50): 404 unless the user can see
// the post; liking one's own post is refused (400 "Cannot like your own post"). A new like
// notifies the author and gives them a carat (users.carats); taking it back removes one.
// kToggle switches it, kAdd and kRemove are idempotent (PUT / DELETE .../like). One transaction.
enum class LikeAction { kToggle, kAdd, kRemove };
LikeResult like_post(db::Connection& c, const User& user, int64_t post_id, LikeAction action);

// Blog slug from a title (api.md §5.2 step 1), without the collision suffix.
std::string slugify(std::string_view title);
// `base`, or `base-1`, `base-2`, … whichever is free.
std::string unique_slug(db::Connection& c, const std::string& base);

}  // namespace carat::domain
