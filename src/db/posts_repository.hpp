// Posts: every query on posts, post_media and posts_tourism, and the rows they return. The list
// and detail reads are built from fixed fragments (never from user data) into one statement per
// shape, so a page of posts costs one round trip whatever its size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/row.hpp"
#include "util/time.hpp"

namespace carat::db {

// ---- rows ----

// The writable columns of a post, as stored and as written by insert/update.
struct PostColumns {
  static constexpr bool kColumnGroup = true;
  std::optional<std::string> title;
  std::optional<std::string> body;
  std::optional<std::string> visibility;
  std::optional<std::string> youtube_url;
  std::optional<int64_t> media_id;
  std::optional<std::string> category;
  std::optional<std::string> subcategory;
  std::optional<std::string> post_type;
  std::optional<std::string> slug;
  std::optional<std::string> status;
  std::optional<std::string> og_image_url;
  std::optional<std::string> excerpt;
};

// The raw columns of a post (the admin list, api.md §3.5, in output order), also the first
// columns of a PostRow.
struct RawPostRow {
  static constexpr bool kColumnGroup = true;
  int64_t id = 0;
  int64_t user_id = 0;
  PostColumns columns;  // title .. excerpt
  std::optional<timeutil::Timestamp> created_at;
  std::optional<timeutil::Timestamp> updated_at;
};

// The posts_tourism columns as read.
struct TourismRow {
  static constexpr bool kColumnGroup = true;
  std::optional<int64_t> post_id;  // NULL: no posts_tourism row (or not a tourism post)
  std::optional<std::string> prefecture;
  std::optional<timeutil::Timestamp> event_datetime;
  std::optional<std::string> meet_place;
  std::optional<std::string> meet_address;
  std::optional<std::string> tour_content;
  std::optional<int64_t> fee;
  std::optional<std::string> contact_phone;
  std::optional<std::string> contact_email;
  std::optional<timeutil::Timestamp> deadline;
  std::optional<std::string> attachment_pdf_url;
};

// One post as every PostOut answer reads it (list, detail, after a write). Members in select
// order (posts_repository.cpp, outer_select).
struct PostRow {
  RawPostRow post;
  int64_t like_count = 0;
  int64_t comment_count = 0;
  bool is_liked = false;  // by the reader (false for anonymous readers)
  std::optional<std::string> media_url;        // the single image (posts.media_id)
  std::optional<std::string> media_urls_json;  // JSON array of post_media urls, in order
  std::optional<std::string> user_display_name;
  TourismRow tourism;
};

// An item of the category listing (api.md §6.1).
struct CategoryItemRow {
  int64_t id = 0;
  std::optional<std::string> title;
  std::string body;
  std::optional<timeutil::Timestamp> created_at;
};

struct PostOwnerRow {
  int64_t user_id = 0;
  std::optional<int64_t> media_id;
};

// The columns of posts_tourism (timestamps as microseconds since the epoch).
struct TourismColumns {
  std::optional<std::string> prefecture;
  std::optional<timeutil::Micros> event_datetime;
  std::optional<std::string> meet_place;
  std::optional<std::string> meet_address;
  std::optional<std::string> tour_content;
  std::optional<int64_t> fee;
  std::optional<std::string> contact_phone;
  std::optional<std::string> contact_email;
  std::optional<timeutil::Micros> deadline;
  std::optional<std::string> attachment_pdf_url;
};

// Which columns of TourismColumns a partial update writes.
struct TourismPresence {
  bool prefecture = false, event_datetime = false, meet_place = false, meet_address = false,
       tour_content = false, fee = false, contact_phone = false, contact_email = false,
       deadline = false, attachment_pdf_url = false;
};

// ---- the statements shared with the benchmark (bench/seed_bench.cpp prints them for pgbench) ----

namespace posts_sql {

enum class Sort { kNewest, kPopular, kComments };

// The optional filters of GET /api/posts (api.md §5.1). Parameters are bound in this order after
// $1 = caller id (0 for anonymous), $2 = limit, $3 = offset:
//   category: the value, then (unless category_indexed) the hashtag matcher (PostgreSQL: a
//             regex; SQLite: the value again)
//   visibility: the value
//   since: the cutoff timestamp
//   post_type, status, slug, subcategory: the value (equality)
struct ListShape {
  Sort sort = Sort::kNewest;
  bool category = false;
  // The hashtag half of `category` by the index of migration 0010 (hashtag_indexed(value)).
  bool category_indexed = false;
  bool visibility = false;
  bool since = false;
  bool post_type = false;
  bool status = false;
  bool slug = false;
  bool subcategory = false;
};

// A page of PostRow.
const Select<PostRow>& list(Dialect d, const ListShape& shape);

// Whether the hashtag match of `category` can use PostgreSQL's hashtag index (migration 0010):
// a value of ASCII letters, digits and '_' only, which are word characters under every locale,
// so "#value followed by a non-word character" is "value is one of the body's hashtags".
bool hashtag_indexed(Dialect d, std::string_view category);

// The hashtag matcher parameter for `category` when it is not indexed (see ListShape).
std::string hashtag_matcher(Dialect d, const std::string& category);

}  // namespace posts_sql

// ---- the repository ----

struct PostListFilter {
  int64_t caller = 0;  // 0: anonymous
  int64_t limit = 20;
  int64_t offset = 0;
  posts_sql::Sort sort = posts_sql::Sort::kNewest;
  std::optional<std::string> category;
  std::optional<std::string> visibility;
  std::optional<timeutil::Micros> since;
  std::optional<std::string> post_type, status, slug, subcategory;
};

class PostsRepository {
 public:
  explicit PostsRepository(Connection& c) : c_(c) {}

  // Reads (visibility of api.md §1.7 for `caller`, 0 for anonymous).
  std::vector<PostRow> list(const PostListFilter& f);
  std::optional<PostRow> find_visible(int64_t caller, int64_t id);
  std::optional<PostRow> find(int64_t id);  // whatever its visibility
  std::optional<int64_t> visible_author(int64_t caller, int64_t id);
  std::vector<CategoryItemRow> category_items(int64_t caller, const std::string& name,
                                              int64_t limit, int64_t offset);
  std::vector<RawPostRow> all_raw();

  // Writes (inside the caller's transaction).
  std::optional<PostOwnerRow> owner(int64_t id);
  // The writable columns, locked for update (PostgreSQL).
  std::optional<PostColumns> lock_columns(int64_t id);
  bool slug_taken(const std::string& slug);
  bool slug_taken_by_other(const std::string& slug, int64_t id);
  int64_t insert(int64_t user_id, const PostColumns& p);
  void update(int64_t id, const PostColumns& p);
  // Replaces the post's images by `media_ids`, in that order.
  void replace_media(int64_t id, const std::vector<int64_t>& media_ids);
  bool has_tourism(int64_t id);
  void insert_tourism(int64_t id, const TourismColumns& t);
  void update_tourism(int64_t id, const TourismColumns& t, const TourismPresence& present);
  // Removes the post and everything attached to it, in the order of api.md §5.5.
  void delete_with_dependents(int64_t id);

  // Likes (api.md §5.6): the reaction rows of type 'like' on a post.
  std::optional<int64_t> remove_like(int64_t user_id, int64_t post_id);  // the deleted row's id
  std::optional<int64_t> add_like(int64_t user_id, int64_t post_id);     // none if it existed
  int64_t like_count(int64_t post_id);

 private:
  Connection& c_;
};

}  // namespace carat::db
