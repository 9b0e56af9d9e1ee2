// SQL for media_assets (schema.md §3.4).
#pragma once

#include "db/database.hpp"

namespace carat::db::sql::media {

inline constexpr Query kInsert{
    "media_insert",
    "INSERT INTO media_assets (user_id, url, mime_type, size_bytes, width, height, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING id"};

// S3 mode answers /media/<name> only for names the service knows (carat_ix_media_assets_url).
inline constexpr Query kExistsByUrl{"media_exists_by_url",
                                    "SELECT 1 FROM media_assets WHERE url = $1 LIMIT 1"};

// Owners of the assets among a JSON array of ids (one statement for all of a post's media).
inline constexpr Query kOwners{
    "media_owners",
    "SELECT id, user_id FROM media_assets "
    "WHERE id IN (SELECT json_array_elements_text($1::json)::bigint)",
    "SELECT id, user_id FROM media_assets WHERE id IN (SELECT value FROM json_each($1))"};

// Deletes the asset only while nothing points at it: the check and the delete are one statement,
// so a post that starts referencing the asset concurrently either is seen here or makes this
// DELETE fail on the foreign key (both are fine: the row stays).
inline constexpr Query kDeleteIfOrphaned{
    "media_delete_if_orphaned",
    "DELETE FROM media_assets WHERE id = $1 "
    "AND NOT EXISTS (SELECT 1 FROM posts WHERE media_id = $1) "
    "AND NOT EXISTS (SELECT 1 FROM post_media WHERE media_asset_id = $1) "
    "RETURNING url"};

}  // namespace carat::db::sql::media
