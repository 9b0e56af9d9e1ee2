// /api/profiles (api.md §4.3, §4.4).
#include "db/sql/users.hpp"
#include "dto/users.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace carat::handlers {

namespace {

namespace sqlp = db::sql::profiles;
using dto::Json;

http::Response profile_response(const domain::Profile& p, bool masked) {
  JsonWriter w;
  dto::write_profile_out(w, p, masked);
  return ok(w);
}

domain::Profile load_or_create_own(RequestContext& ctx, int64_t user_id) {
  auto& db = ctx.db();
  if (auto p = domain::find_profile(db, user_id)) return *p;
  // Legacy registration could leave a user without a profile; repair it on first access.
  db::Transaction tx(db, true);
  domain::ensure_profile(db, user_id);
  tx.commit();
  return *domain::find_profile(db, user_id);
}

http::Response get_own(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  return profile_response(load_or_create_own(ctx, user.id), false);
}

bool handle_is_valid(const std::string& handle) {
  for (char c : handle) {
    if (c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      return false;
    }
  }
  if (text::trim(handle).size() != handle.size()) return false;  // Unicode spaces at the ends
  return text::to_lower_ascii(handle) != "me";
}

// Applies one optional string column: equal to the stored value → accepted as is.
void merge_string(dto::Validator& v, const Json& body, std::string_view key, size_t max_len,
                  std::optional<std::string>& target) {
  auto it = body.find(key);
  if (it == body.end()) return;
  if (it->is_string() && target && *target == it->get_ref<const std::string&>()) return;
  auto f = v.str(body, key, {.nullable = true, .max_len = max_len});
  if (!f.present) return;
  target = f.null ? std::nullopt : std::optional<std::string>(f.value);
}

void merge_lookup(RequestContext& ctx, dto::Validator& v, const Json& body, std::string_view key,
                  const db::Query& exists, std::optional<int64_t>& target) {
  auto it = body.find(key);
  if (it == body.end()) return;
  auto f = v.integer(body, key, {.nullable = true});
  if (!f.present) return;
  if (f.null) {
    target.reset();
    return;
  }
  if (target && *target == f.value) return;
  if (!domain::valid_id(f.value) || ctx.db().exec(exists, {f.value}).empty()) {
    v.value_error({std::string("body"), std::string(key)}, "unknown " + std::string(key), *it);
    return;
  }
  target = f.value;
}

void merge_flag(dto::Validator& v, const Json& body, std::string_view key, bool& target) {
  auto f = v.boolean(body, key, false, false);
  if (f.present) target = f.value;
}

http::Response put_own(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  auto& db = ctx.db();
  db::Transaction tx(db, true);
  auto rs = db.exec(sqlp::kByUserForUpdate, {user.id});
  if (rs.empty()) {
    // Legacy registration could leave a user without a profile; repair it first.
    domain::create_default_profile(db, user.id);
    rs = db.exec(sqlp::kByUserForUpdate, {user.id});
  }
  domain::Profile p = domain::profile_from_row(rs, 0);

  dto::Validator v;
  bool handle_changed = false;
  if (auto it = body.find("handle"); it != body.end()) {
    if (!(it->is_string() && it->get_ref<const std::string&>() == p.handle)) {
      auto f = v.str(body, "handle", {.min_len = 1, .max_len = 50});
      if (f.present) {
        if (!handle_is_valid(f.value)) {
          v.value_error({std::string("body"), std::string("handle")}, "invalid handle", *it);
        } else {
          handle_changed = f.value != p.handle;
          p.handle = f.value;
        }
      }
    }
  }
  merge_string(v, body, "bio", 0, p.bio);
  merge_lookup(ctx, v, body, "orientation_id", sqlp::kOrientationExists, p.orientation_id);
  merge_lookup(ctx, v, body, "gender_id", sqlp::kGenderExists, p.gender_id);
  merge_lookup(ctx, v, body, "pronoun_id", sqlp::kPronounExists, p.pronoun_id);
  if (auto it = body.find("birthday"); it != body.end()) {
    if (it->is_null()) {
      p.birthday.reset();
    } else if (!(it->is_string() && p.birthday && *p.birthday == it->get_ref<const std::string&>())) {
      if (it->is_string() && timeutil::is_valid_date(it->get_ref<const std::string&>())) {
        p.birthday = it->get<std::string>();
      } else {
        v.add("date_parsing", {std::string("body"), std::string("birthday")},
              "Input should be a valid date in the format YYYY-MM-DD", dto::input_json(*it));
      }
    }
  }
  merge_string(v, body, "location", 100, p.location);
  merge_string(v, body, "website", 255, p.website);
  merge_string(v, body, "avatar_url", 500, p.avatar_url);
  merge_string(v, body, "banner_url", 500, p.banner_url);
  merge_flag(v, body, "is_profile_public", p.is_profile_public);
  merge_flag(v, body, "show_orientation", p.show_orientation);
  merge_flag(v, body, "show_gender", p.show_gender);
  merge_flag(v, body, "show_pronoun", p.show_pronoun);
  merge_flag(v, body, "show_birthday", p.show_birthday);
  merge_flag(v, body, "show_location", p.show_location);
  v.throw_if_errors();

  if (handle_changed && !db.exec(sqlp::kHandleTakenByOther, {p.handle, user.id}).empty()) {
    throw http::conflict("Handle already taken");
  }
  try {
    auto updated = db.exec(sqlp::kUpdate,
                           {user.id, p.handle, p.bio, p.orientation_id, p.gender_id, p.pronoun_id,
                            p.birthday, p.location, p.website, p.avatar_url, p.banner_url,
                            p.is_profile_public, p.show_orientation, p.show_gender, p.show_pronoun,
                            p.show_birthday, p.show_location});
    tx.commit();
    return profile_response(domain::profile_from_row(updated, 0), false);
  } catch (const db::DbError& e) {
    if (e.kind() == db::DbError::Kind::kUniqueViolation) throw http::conflict("Handle already taken");
    throw;
  }
}

http::Response get_by_handle(RequestContext& ctx) {
  const std::string& handle = ctx.req.path_params[0];
  const auto* caller = ctx.optional_user();
  auto rs = ctx.db().exec(sqlp::kByHandle, {handle});
  if (rs.empty()) throw http::not_found("Profile not found");
  domain::Profile p = domain::profile_from_row(rs, 0);
  const bool owner = caller != nullptr && caller->id == p.user_id;
  if (!owner && !p.is_profile_public) throw http::not_found("Profile not found");
  return profile_response(p, !owner);
}

}  // namespace

void add_profile_routes(http::Router& r) {
  route(r, "GET", "/api/profiles/me", get_own);
  json_route(r, "PUT", "/api/profiles/me", put_own);
  route(r, "GET", "/api/profiles/{handle}", get_by_handle);
}

}  // namespace carat::handlers
