// Media (api.md §11): POST /api/media/upload and GET/HEAD /media/{name}.
#include "domain/media.hpp"

#include <cstdio>
#include <ctime>

#include "dto/media.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "http/form.hpp"
#include "util/strings.hpp"

namespace carat::handlers {

namespace {

// The uploaded file part, or 422 `missing` at ["body","file"]. A body that is not
// multipart/form-data (or cannot be parsed as such) has no file part either, as in FastAPI.
const http::FormField& require_file_part(RequestContext& ctx,
                                         std::optional<std::vector<http::FormField>>& parts) {
  const std::string ct(ctx.req.header("content-type").value_or(""));
  if (auto boundary = http::multipart_boundary(ct)) {
    parts = http::parse_multipart(ctx.req.body, *boundary);
  }
  const http::FormField* file = parts ? http::find_last(*parts, "file") : nullptr;
  // A plain field named `file` (no filename) is not an upload.
  if (file == nullptr || !file->filename) {
    dto::Validator v;
    v.missing({std::string("body"), std::string("file")}, nullptr);
    v.throw_if_errors();
  }
  return *file;
}

http::Response upload(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  std::optional<std::vector<http::FormField>> parts;
  const http::FormField& file = require_file_part(ctx, parts);
  const int64_t user_id = user.id;
  // Storing the object may take a while on S3: the database connection goes back meanwhile and
  // is taken again for the row.
  ctx.release_db();
  const auto uploaded = domain::upload_image(
      ctx.app.storage, [&ctx]() -> db::Connection& { return ctx.db(); }, user_id, file.value);
  return json(dto::uploaded_image_json(uploaded));
}

std::string http_date(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  // Spelled out instead of strftime("%a %b") so the process locale cannot change it.
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// RFC 9110 §13.1.2: If-None-Match uses the weak comparison; "*" matches any current file.
bool if_none_match_hits(std::string_view header, const std::string& etag) {
  auto opaque = [](std::string_view tag) {
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    return tag;
  };
  const std::string_view mine = opaque(etag);
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view tag = header.substr(pos, end - pos);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*" || (!tag.empty() && opaque(tag) == mine)) return true;
    pos = end + 1;
  }
  return false;
}

http::Response serve_local(RequestContext& ctx, const std::string& name) {
  auto& storage = ctx.app.storage;
  const auto inm = ctx.req.header("if-none-match");
  // HEAD and revalidations need only the metadata; the bytes are read for a full GET only.
  auto meta = storage.stat(name);
  if (!meta) throw errors::not_found("Not Found");

  http::Response res;
  const auto type = domain::image_content_type_for(name);
  res.content_type = type ? std::string(*type) : "application/octet-stream";
  // Unknown extensions (legacy .svg, .html, ...) are never rendered inline.
  if (!type) res.headers.emplace_back("Content-Disposition", "attachment");
  res.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  res.headers.emplace_back("ETag", meta->etag);
  res.headers.emplace_back("Last-Modified", http_date(meta->mtime));

  if (inm && if_none_match_hits(*inm, meta->etag)) {
    res.status = 304;
    return res;
  }
  if (ctx.req.is_head) {
    res.head_content_length = meta->size;
    return res;
  }
  auto file = storage.read(name);
  if (!file) throw errors::not_found("Not Found");  // deleted between the two calls
  // The file could have been replaced in between; describe what is actually sent.
  if (file->etag != meta->etag) {
    res.set_header("ETag", file->etag);
    res.set_header("Last-Modified", http_date(file->mtime));
  }
  res.file = std::move(file->file);
  res.file_size = file->size;
  return res;
}

http::Response serve_remote(RequestContext& ctx, const std::string& name) {
  // Only names the service issued are redirected: no presigned URL for arbitrary keys.
  if (!domain::is_issued_media_name(ctx.db(), name)) throw errors::not_found("Not Found");
  ctx.release_db();
  auto location = ctx.app.storage.presigned_url(name);
  if (!location) throw media::StorageError("no presigned URL for " + name);
  http::Response res;
  res.status = 302;
  res.content_type = "text/plain; charset=utf-8";
  res.headers.emplace_back("Location", *location);
  // Shorter than the URL's lifetime, so a cached redirect never points at an expired URL.
  res.headers.emplace_back("Cache-Control", "private, max-age=60");
  return res;
}

http::Response serve(RequestContext& ctx) {
  const std::string& name = ctx.path("name");
  if (!domain::is_valid_media_name(name)) throw errors::not_found("Not Found");
  return ctx.app.storage.is_remote() ? serve_remote(ctx, name) : serve_local(ctx, name);
}

http::Response list_user_images(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  return json(dto::user_images_json(domain::user_images(ctx.db(), ctx.app.storage, user.id)));
}

http::Response delete_image(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const int64_t id = ctx.path_id("media_id");
  domain::delete_user_image(ctx.db(), ctx.app.storage, user.id, id);
  return json(dto::status_json("deleted"));
}

// {"order": [id, ...]}: upstream keeps the ids that are written with digits only (numbers or
// strings) and ignores the rest.
http::Response save_order(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object(RequestContext::kNotADict);
  const auto it = body.find("order");
  if (it == body.end() || !it->is_array()) throw errors::bad_request("order must be a list");
  std::vector<int64_t> ids;
  for (const auto& item : *it) {
    std::string digits;
    if (item.is_number_unsigned() || (item.is_number_integer() && item.get<int64_t>() >= 0)) {
      digits = std::to_string(item.get<int64_t>());
    } else if (item.is_string()) {
      digits = item.get<std::string>();
    }
    const bool all_digits =
        !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
    if (!all_digits) continue;
    auto id = text::parse_int64(digits);
    // An id beyond 64 bits names nothing the member owns.
    if (!id) throw errors::forbidden("Media " + digits + " not owned by user");
    ids.push_back(*id);
  }
  domain::save_image_order(ctx.db(), user.id, ids);
  return json(dto::status_json("ok"));
}

std::vector<Endpoint> routes() {
  return {
      {"POST", "/api/media/upload", upload,
       {.body_limit = domain::kUploadBodyLimit, .token_before_body = true}},
      {"GET", "/api/media/user/images", list_user_images},
      {"PUT", "/api/media/user/images/order", save_order, {.json_body = true}},
      {"DELETE", "/api/media/{media_id}", delete_image},
      // Blocking file I/O or a database lookup: the worker pool, never the I/O thread.
      {"GET", "/media/{name}", serve},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("media", &routes);

}  // namespace

}  // namespace carat::handlers
