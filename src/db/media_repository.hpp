// Media assets (schema.md §3.4): queries and rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/json_params.hpp"
#include "db/row.hpp"
#include "util/time.hpp"

namespace carat::db {

struct NewMediaAsset {
  int64_t user_id = 0;
  std::string url;
  std::string mime_type;
  int64_t size_bytes = 0;
  std::optional<int64_t> width;
  std::optional<int64_t> height;
};

struct MediaOwnerRow {
  int64_t id = 0;
  int64_t user_id = 0;
};

struct MediaAssetRow {
  int64_t id = 0;
  int64_t user_id = 0;
  std::optional<std::string> url;
};

// An image of GET /api/media/user/images, with its place in the member's order (NULL: none).
struct UserImageRow {
  int64_t id = 0;
  std::string url;
  std::optional<timeutil::Timestamp> created_at;
  std::optional<int64_t> size_bytes;
  std::optional<int64_t> position;
};

namespace media_sql {

// Parameters: NewMediaAsset in member order.
inline constexpr Select<Value<int64_t>> kInsert{
    "media_insert",
    "INSERT INTO media_assets (user_id, url, mime_type, size_bytes, width, height, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING id"};

// S3 mode answers /media/<name> only for names the service knows (carat_ix_media_assets_url).
inline constexpr Query kExistsByUrl{"media_exists_by_url",
                                    "SELECT 1 FROM media_assets WHERE url = $1 LIMIT 1"};

// Owners of the assets among a JSON array of ids (one statement for all of a post's media).
inline constexpr Select<MediaOwnerRow> kOwners{
    "media_owners",
    "SELECT id, user_id FROM media_assets "
    "WHERE id IN (SELECT json_array_elements_text($1::json)::bigint)",
    "SELECT id, user_id FROM media_assets WHERE id IN (SELECT value FROM json_each($1))"};

// Deletes the asset only while nothing points at it: the check and the delete are one statement,
// so a post that starts referencing the asset concurrently either is seen here or makes this
// DELETE fail on the foreign key (both are fine: the row stays).
inline constexpr Select<Value<std::optional<std::string>>> kDeleteIfOrphaned{
    "media_delete_if_orphaned",
    "DELETE FROM media_assets WHERE id = $1 "
    "AND NOT EXISTS (SELECT 1 FROM posts WHERE media_id = $1) "
    "AND NOT EXISTS (SELECT 1 FROM post_media WHERE media_asset_id = $1) "
    "RETURNING url"};

inline constexpr Select<MediaAssetRow> kById{
    "media_by_id", "SELECT id, user_id, url FROM media_assets WHERE id = $1"};

// A post (its own image or its gallery) uses the asset.
inline constexpr Query kInUse{
    "media_in_use",
    "SELECT 1 WHERE EXISTS (SELECT 1 FROM posts WHERE media_id = $1) "
    "OR EXISTS (SELECT 1 FROM post_media WHERE media_asset_id = $1)"};

inline constexpr Query kDelete{"media_delete", "DELETE FROM media_assets WHERE id = $1"};

// The member's images: those they ordered first, in their order, then the others newest first
// (upstream 7750a50's rule).
inline constexpr Select<UserImageRow> kUserImages{
    "media_user_images",
    "SELECT m.id, m.url, m.created_at, m.size_bytes, o.position FROM media_assets m "
    "LEFT JOIN carat_media_order o ON o.user_id = m.user_id AND o.media_asset_id = m.id "
    "WHERE m.user_id = $1 AND m.mime_type LIKE 'image/%' "
    "ORDER BY (o.position IS NULL), o.position, m.created_at DESC, m.id DESC"};

inline constexpr Query kClearOrder{"media_order_clear",
                                   "DELETE FROM carat_media_order WHERE user_id = $1"};
inline constexpr Query kClearOrderOfAsset{
    "media_order_clear_asset", "DELETE FROM carat_media_order WHERE media_asset_id = $1"};
inline constexpr Query kInsertOrder{
    "media_order_insert",
    "INSERT INTO carat_media_order (user_id, media_asset_id, position) VALUES ($1, $2, $3)"};

}  // namespace media_sql

class MediaRepository {
 public:
  explicit MediaRepository(Connection& c) : c_(c) {}

  int64_t insert(const NewMediaAsset& m) {
    return fetch_one(c_, media_sql::kInsert,
                     {m.user_id, m.url, m.mime_type, m.size_bytes, m.width, m.height})
        ->value;
  }
  bool url_exists(const std::string& url) { return exists(c_, media_sql::kExistsByUrl, {url}); }
  // The owners of the existing assets among `ids`.
  std::vector<MediaOwnerRow> owners(const std::vector<int64_t>& ids) {
    return fetch_all(c_, media_sql::kOwners, {json_array(ids)});
  }
  std::optional<MediaAssetRow> by_id(int64_t id) { return fetch_one(c_, media_sql::kById, {id}); }
  bool in_use(int64_t id) { return exists(c_, media_sql::kInUse, {id}); }
  void remove(int64_t id) {
    c_.exec(media_sql::kClearOrderOfAsset, {id});
    c_.exec(media_sql::kDelete, {id});
  }
  std::vector<UserImageRow> user_images(int64_t user_id) {
    return fetch_all(c_, media_sql::kUserImages, {user_id});
  }
  // The member's image order becomes `ids` (positions 0, 1, ...).
  void replace_order(int64_t user_id, const std::vector<int64_t>& ids) {
    c_.exec(media_sql::kClearOrder, {user_id});
    int64_t position = 0;
    for (int64_t id : ids) c_.exec(media_sql::kInsertOrder, {user_id, id, position++});
  }
  // Deletes the asset unless a post references it; the deleted row's url (which may be NULL in
  // legacy rows), or nothing when no row was deleted.
  std::optional<Value<std::optional<std::string>>> delete_if_orphaned(int64_t id) {
    return fetch_one(c_, media_sql::kDeleteIfOrphaned, {id});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
