// Media assets (schema.md §3.4): queries and rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/row.hpp"

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
    std::string array = "[";
    for (int64_t id : ids) array += (array.size() > 1 ? "," : "") + std::to_string(id);
    array += "]";
    return fetch_all(c_, media_sql::kOwners, {array});
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
