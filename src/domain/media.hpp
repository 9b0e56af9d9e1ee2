// Uploaded images (api.md §11): format detection, names, and the asset rules other modules use.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"
#include "db/media_repository.hpp"
#include "media/storage.hpp"

namespace carat::domain {

// The largest accepted file (api.md §11.1 check 1); the request may be 64 KiB larger.
inline constexpr size_t kMaxImageBytes = 10 * 1024 * 1024;
inline constexpr size_t kUploadBodyLimit = kMaxImageBytes + 64 * 1024;

struct ImageFormat {
  std::string_view extension;  // "jpg", "png", "gif", "webp"
  std::string_view mime_type;  // stored in media_assets.mime_type and sent to S3
};

// Identifies JPEG, PNG, GIF and WebP by their magic bytes; anything else (SVG, text, an empty
// file) is nullopt. The declared content type and file name are never consulted.
std::optional<ImageFormat> sniff_image(std::string_view data);

struct Dimensions {
  int64_t width = 0;
  int64_t height = 0;
};

// Width and height from the header of a sniffed image, when the header is complete and sane.
// Cheap: reads a few bytes (JPEG: walks the segment headers up to the frame header).
std::optional<Dimensions> image_dimensions(std::string_view data, const ImageFormat& format);

// A name `GET /media/{name}` may serve: one segment of [A-Za-z0-9._-], 1..255 characters, not
// starting with '.' (api.md §11.2). Blocks traversal and hidden files.
bool is_valid_media_name(std::string_view name);

// Content type for serving a local file, by extension (case-insensitive); nullopt means
// application/octet-stream served as an attachment (legacy .svg and the like).
std::optional<std::string_view> image_content_type_for(std::string_view name);

// "/media/<name>" → "<name>" when the rest is a valid media name, else nullopt (legacy rows may
// hold other forms; nothing outside MEDIA_DIR / the prefix is ever touched).
std::optional<std::string> media_name_from_url(std::string_view url);

// The ids among `ids` that exist and belong to `user_id` (any owner for admins), in one query.
// Ids outside 1..2147483647 refer to nothing (api.md §1.4).
std::set<int64_t> usable_media_ids(db::Connection& c, const std::vector<int64_t>& ids,
                                   int64_t user_id, bool is_admin);

// The request's database connection, taken when first needed (slow storage work runs without
// one).
using ConnectionSource = std::function<db::Connection&()>;

struct UploadedImage {
  int64_t id = 0;
  std::string url;  // "/media/<name>"
};

// POST /api/media/upload (api.md §11.1): 413 "File too large", 400 "File must be an image" (by
// the bytes, never the declared type or name), then the object is stored under a fresh random
// name and its media_assets row inserted. No row ever points at nothing and no object outlives
// a failed upload. A storage failure is media::StorageError (503).
UploadedImage upload_image(media::Storage& storage, const ConnectionSource& db, int64_t user_id,
                           std::string_view data);

// The member's images (upstream 7750a50's GET /api/media/user/images): their order first, then
// newest first. With local storage an image whose file is gone is left out (the row stays).
std::vector<db::UserImageRow> user_images(db::Connection& c, media::Storage& storage,
                                          int64_t user_id);

// DELETE /api/media/{id}: 404 "Media not found", 403 "Forbidden" (not the owner), 409 while a
// post uses it; then the row, and after the commit the stored file (best effort).
void delete_user_image(db::Connection& c, media::Storage& storage, int64_t user_id,
                       int64_t media_id);

// PUT /api/media/user/images/order: every id must be the member's (403 "Media <id> not owned
// by user"); a repeated id keeps its last place.
void save_image_order(db::Connection& c, int64_t user_id, const std::vector<int64_t>& ids);

// S3 mode serves only names the service issued (a media_assets row has the url).
bool is_issued_media_name(db::Connection& c, const std::string& name);

// After a post delete has committed (api.md §5.5): deletes the media_assets row when no
// posts.media_id and no post_media row references it (its own short transaction), then removes
// the stored file or object. Best effort: every failure is logged, nothing is thrown. Must be
// called outside a transaction.
void delete_media_asset_if_orphaned(db::Connection& c, media::Storage& storage,
                                    int64_t media_id) noexcept;

}  // namespace carat::domain
