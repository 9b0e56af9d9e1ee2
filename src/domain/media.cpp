#include "domain/media.hpp"

#include <algorithm>

#include "db/media_repository.hpp"
#include "domain/ids.hpp"
#include "errors/errors.hpp"
#include "observability/log.hpp"
#include "util/strings.hpp"

namespace carat::domain {

namespace {

uint32_t be16(std::string_view d, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(d[at])) << 8) |
         static_cast<unsigned char>(d[at + 1]);
}
uint32_t be32(std::string_view d, size_t at) { return (be16(d, at) << 16) | be16(d, at + 2); }
uint32_t le16(std::string_view d, size_t at) {
  return static_cast<unsigned char>(d[at]) |
         (static_cast<uint32_t>(static_cast<unsigned char>(d[at + 1])) << 8);
}
uint32_t le24(std::string_view d, size_t at) {
  return le16(d, at) | (static_cast<uint32_t>(static_cast<unsigned char>(d[at + 2])) << 16);
}
uint32_t le32(std::string_view d, size_t at) { return le16(d, at) | (le16(d, at + 2) << 16); }

std::optional<Dimensions> checked(int64_t w, int64_t h) {
  // Columns are 32-bit INTEGER; a zero size is a broken header, not an image size.
  if (w <= 0 || h <= 0 || w > 2147483647 || h > 2147483647) return std::nullopt;
  return Dimensions{w, h};
}

std::optional<Dimensions> png_size(std::string_view d) {
  if (d.size() < 24 || d.substr(12, 4) != "IHDR") return std::nullopt;
  return checked(be32(d, 16), be32(d, 20));
}

std::optional<Dimensions> gif_size(std::string_view d) {
  if (d.size() < 10) return std::nullopt;
  return checked(le16(d, 6), le16(d, 8));
}

std::optional<Dimensions> jpeg_size(std::string_view d) {
  size_t i = 2;
  while (i + 4 <= d.size()) {
    if (static_cast<unsigned char>(d[i]) != 0xFF) return std::nullopt;
    const unsigned char marker = static_cast<unsigned char>(d[i + 1]);
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    // Standalone markers carry no length.
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
      i += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // end, or scan data before SOF
    const size_t len = be16(d, i + 2);
    if (len < 2) return std::nullopt;
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): P, height, width follow the length.
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                     marker != 0xCC;
    if (sof) {
      if (i + 9 > d.size()) return std::nullopt;
      return checked(be16(d, i + 7), be16(d, i + 5));
    }
    i += 2 + len;
  }
  return std::nullopt;
}

std::optional<Dimensions> webp_size(std::string_view d) {
  if (d.size() < 30) return std::nullopt;
  const std::string_view chunk = d.substr(12, 4);
  if (chunk == "VP8 ") {
    // Lossy: a key frame starts with a 3-byte frame tag and the start code 9D 01 2A.
    if (static_cast<unsigned char>(d[23]) != 0x9D || static_cast<unsigned char>(d[24]) != 0x01 ||
        static_cast<unsigned char>(d[25]) != 0x2A) {
      return std::nullopt;
    }
    return checked(le16(d, 26) & 0x3FFF, le16(d, 28) & 0x3FFF);
  }
  if (chunk == "VP8L") {
    if (static_cast<unsigned char>(d[20]) != 0x2F) return std::nullopt;
    const uint32_t bits = le32(d, 21);
    return checked((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (chunk == "VP8X") {
    return checked(static_cast<int64_t>(le24(d, 24)) + 1, static_cast<int64_t>(le24(d, 27)) + 1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<ImageFormat> sniff_image(std::string_view d) {
  if (d.size() >= 3 && d.substr(0, 3) == "\xFF\xD8\xFF") return ImageFormat{"jpg", "image/jpeg"};
  if (d.size() >= 8 && d.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8)) {
    return ImageFormat{"png", "image/png"};
  }
  if (d.size() >= 6 && (d.substr(0, 6) == "GIF87a" || d.substr(0, 6) == "GIF89a")) {
    return ImageFormat{"gif", "image/gif"};
  }
  if (d.size() >= 12 && d.substr(0, 4) == "RIFF" && d.substr(8, 4) == "WEBP") {
    return ImageFormat{"webp", "image/webp"};
  }
  return std::nullopt;
}

std::optional<Dimensions> image_dimensions(std::string_view data, const ImageFormat& format) {
  if (format.extension == "png") return png_size(data);
  if (format.extension == "gif") return gif_size(data);
  if (format.extension == "jpg") return jpeg_size(data);
  if (format.extension == "webp") return webp_size(data);
  return std::nullopt;
}

bool is_valid_media_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string_view> image_content_type_for(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string ext = text::to_lower_ascii(name.substr(dot + 1));
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  return std::nullopt;
}

std::optional<std::string> media_name_from_url(std::string_view url) {
  constexpr std::string_view kPrefix = "/media/";
  if (url.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view name = url.substr(kPrefix.size());
  if (!is_valid_media_name(name)) return std::nullopt;
  return std::string(name);
}

UploadedImage upload_image(media::Storage& storage, const ConnectionSource& db, int64_t user_id,
                           std::string_view data) {
  if (data.size() > kMaxImageBytes) throw errors::payload_too_large("File too large");
  const auto format = sniff_image(data);
  if (!format) throw errors::bad_request("File must be an image");
  const auto dims = image_dimensions(data, *format);

  // Nothing from the client reaches the name.
  const std::string name = text::random_uuid4() + "." + std::string(format->extension);
  UploadedImage uploaded;
  uploaded.url = "/media/" + name;
  // The object is stored first (api.md §1.1) and may take a while on S3.
  storage.put(name, data, std::string(format->mime_type));
  try {
    auto& c = db();
    db::Transaction tx(c, true);
    uploaded.id = db::MediaRepository(c).insert(
        {user_id, uploaded.url, std::string(format->mime_type), static_cast<int64_t>(data.size()),
         dims ? std::optional<int64_t>(dims->width) : std::nullopt,
         dims ? std::optional<int64_t>(dims->height) : std::nullopt});
    tx.commit();
  } catch (...) {
    try {
      storage.remove(name);
    } catch (const std::exception& e) {
      log::warn("orphaned media object not removed", {{"name", name}, {"error", e.what()}});
    }
    throw;
  }
  return uploaded;
}

std::vector<db::UserImageRow> user_images(db::Connection& c, media::Storage& storage,
                                          int64_t user_id) {
  auto rows = db::MediaRepository(c).user_images(user_id);
  if (storage.is_remote()) return rows;
  std::vector<db::UserImageRow> present;
  for (auto& row : rows) {
    // The file is the url's last segment, whatever the url's form (upstream's rule).
    const std::string name = row.url.substr(row.url.rfind('/') + 1);
    if (is_valid_media_name(name) && storage.stat(name)) present.push_back(std::move(row));
  }
  return present;
}

void delete_user_image(db::Connection& c, media::Storage& storage, int64_t user_id,
                       int64_t media_id) {
  if (!valid_id(media_id)) throw errors::not_found("Media not found");
  db::MediaRepository media(c);
  std::optional<std::string> url;
  {
    db::Transaction tx(c, true);
    auto asset = media.by_id(media_id);
    if (!asset) throw errors::not_found("Media not found");
    if (asset->user_id != user_id) throw errors::forbidden("Forbidden");
    if (media.in_use(media_id)) throw errors::conflict("Media is used by a post");
    media.remove(media_id);
    tx.commit();
    url = asset->url;
  }
  // After the commit (api.md §1.1): a failure leaves an unreferenced file, never a row
  // pointing at nothing.
  const auto name = url ? media_name_from_url(*url) : std::nullopt;
  if (!name) return;
  try {
    storage.remove(*name);
  } catch (const std::exception& e) {
    log::warn("media file not removed",
              {{"media_id", media_id}, {"name", *name}, {"error", e.what()}});
  }
}

void save_image_order(db::Connection& c, int64_t user_id, const std::vector<int64_t>& ids) {
  db::MediaRepository media(c);
  std::set<int64_t> owned;
  if (!ids.empty()) {
    std::vector<int64_t> valid;
    for (int64_t id : ids) {
      if (valid_id(id)) valid.push_back(id);
    }
    if (!valid.empty()) {
      for (const auto& row : media.owners(valid)) {
        if (row.user_id == user_id) owned.insert(row.id);
      }
    }
  }
  for (int64_t id : ids) {
    if (!owned.count(id)) {
      throw errors::forbidden("Media " + std::to_string(id) + " not owned by user");
    }
  }
  // A repeated id keeps its last place, as upstream's {id: index} map does.
  std::vector<int64_t> order;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (std::find(ids.begin() + static_cast<std::ptrdiff_t>(i) + 1, ids.end(), ids[i]) ==
        ids.end()) {
      order.push_back(ids[i]);
    }
  }
  db::Transaction tx(c, true);
  media.replace_order(user_id, order);
  tx.commit();
}

bool is_issued_media_name(db::Connection& c, const std::string& name) {
  return db::MediaRepository(c).url_exists("/media/" + name);
}

std::set<int64_t> usable_media_ids(db::Connection& c, const std::vector<int64_t>& ids,
                                   int64_t user_id, bool is_admin) {
  std::set<int64_t> wanted;
  for (int64_t id : ids) {
    if (valid_id(id)) wanted.insert(id);
  }
  std::set<int64_t> usable;
  if (wanted.empty()) return usable;
  for (const auto& row :
       db::MediaRepository(c).owners(std::vector<int64_t>(wanted.begin(), wanted.end()))) {
    if (is_admin || row.user_id == user_id) usable.insert(row.id);
  }
  return usable;
}

void delete_media_asset_if_orphaned(db::Connection& c, media::Storage& storage,
                                    int64_t media_id) noexcept {
  if (!valid_id(media_id)) return;
  if (c.in_transaction()) {
    // Its own transaction would be nested in (and commit) the caller's unfinished work.
    log::error("delete_media_asset_if_orphaned called inside a transaction",
               {{"media_id", media_id}});
    return;
  }
  std::optional<std::string> url;
  try {
    db::Transaction tx(c, true);
    const auto deleted = db::MediaRepository(c).delete_if_orphaned(media_id);
    tx.commit();
    if (!deleted) return;  // still referenced, or already gone
    url = deleted->value;
  } catch (const std::exception& e) {
    log::warn("media asset not deleted", {{"media_id", media_id}, {"error", e.what()}});
    return;
  }
  // The row is gone for good now; the object is removed after the commit (api.md §1.1), so a
  // failure here leaves an unreferenced file, never a row pointing at nothing.
  const auto name = url ? media_name_from_url(*url) : std::nullopt;
  if (!name) {
    log::info("media asset deleted; its url names no stored file",
              {{"media_id", media_id}, {"url", url.value_or("")}});
    return;
  }
  try {
    storage.remove(*name);
  } catch (const std::exception& e) {
    log::warn("media file not removed",
              {{"media_id", media_id}, {"name", *name}, {"error", e.what()}});
  }
}

}  // namespace carat::domain
