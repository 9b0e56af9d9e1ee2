// /api/matching profiles, search, likes, matches and profile images (upstream 7750a50): for
// premium members. Upstream's rules and answers, with its defects fixed where head.md decides:
// values are validated (upstream answers 500 for an overlong or mistyped field), images must be
// the member's own uploads, hidden and deactivated members never show up.
#include <algorithm>
#include <limits>
#include <set>

#include "auth/password.hpp"
#include "domain/matching.hpp"
#include "dto/matching.hpp"
#include "dto/media.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "handlers/query_params.hpp"
#include "util/strings.hpp"

namespace carat::handlers {

namespace {

using dto::Json;

// Python's repr of a list of str, as upstream's 422 detail prints its whitelist.
std::string python_list(const std::vector<std::string_view>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += '\'';
    out += items[i];
    out += '\'';
  }
  return out + "]";
}

// Upstream's whitelist rule: "", "非表示" (hidden) and the listed labels pass; 422 with a string
// detail otherwise.
void check_whitelist(const dto::Field<std::string>& field, const char* name,
                     const std::vector<std::string_view>& allowed) {
  if (!field.has_value() || field.value.empty() || field.value == "非表示") return;
  if (std::ranges::find(allowed, field.value) != allowed.end()) return;
  throw errors::ApiError(422, std::string("Invalid ") + name + ". Must be one of: " +
                                  python_list(allowed));
}

http::Response get_my_profile(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  return json(dto::my_profile_json(user, domain::my_profile(ctx.db(), user)));
}

http::Response put_my_profile(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  const Json& body = ctx.json_object(RequestContext::kNotADict);
  dto::Validator v;
  // Lengths are the columns' (upstream answers 500 for a longer value).
  const auto column = [&](const char* key, size_t max_len) {
    return v.str(body, key, {.nullable = true, .max_len = max_len});
  };
  auto prefecture = column("prefecture", 100);
  auto residence_detail = column("residence_detail", 100);
  auto hometown = column("hometown", 100);
  auto age_band = column("age_band", 50);
  auto occupation = column("occupation", 100);
  auto income_range = column("income_range", 100);
  auto blood_type = column("blood_type", 20);
  auto zodiac = column("zodiac", 20);
  auto meet_pref = column("meet_pref", 50);
  auto meeting_style = column("meeting_style", 50);
  auto bio = column("bio", 5000);
  auto identity = column("identity", 50);
  auto romance_targets = v.str_list(body, "romance_targets", true, {.max_len = 50}, 20);
  auto hobbies = v.str_list(body, "hobbies", true, {.trim = true, .max_len = 100}, 30);
  auto email = v.email(body, "email", false, false);
  auto display_name = v.str(body, "display_name", {.trim = true, .max_len = 100});
  auto nickname = v.str(body, "nickname", {.trim = true, .max_len = 100});
  auto real_name = v.str(body, "real_name", {.nullable = true, .trim = true, .max_len = 100});
  auto password = v.str(body, "password", {.nullable = true});
  v.throw_if_errors();

  if (bio.has_value() && domain::bio_has_contact_info(bio.value)) {
    throw errors::bad_request("bio contains prohibited contact info");
  }
  check_whitelist(age_band, "age_band", domain::kAgeBands);
  check_whitelist(identity, "identity", domain::kIdentities);
  check_whitelist(meeting_style, "meeting_style", domain::kMeetingStyles);

  domain::ProfileUpdate u;
  if (prefecture.present) u.prefecture = prefecture.value;  // null: "" (the column is NOT NULL)
  u.residence_detail = residence_detail.update();
  u.hometown = hometown.update();
  u.age_band = age_band.update();
  u.occupation = occupation.update();
  u.income_range = income_range.update();
  u.blood_type = blood_type.update();
  u.zodiac = zodiac.update();
  u.meet_pref = meet_pref.update();
  u.meeting_style = meeting_style.update();
  u.bio = bio.update();
  u.identity = identity.update();
  u.romance_targets = romance_targets.update();
  if (hobbies.has_value()) {
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (auto& name : hobbies.value) {
      if (!name.empty() && seen.insert(name).second) names.push_back(std::move(name));
    }
    u.hobbies = std::move(names);
  }
  u.account.email = email.opt();
  // The form sends both; the nickname field is the one members edit (upstream: nickname wins).
  // An empty name changes nothing.
  for (const auto* name : {&display_name, &nickname}) {
    if (name->has_value() && !name->value.empty()) u.account.display_name = name->value;
  }
  if (real_name.present) u.account.real_name = real_name.null ? std::string() : real_name.value;
  if (password.has_value() && !password.value.empty()) {
    if (text::code_points(password.value) < 8) {
      throw errors::bad_request("パスワードは8文字以上である必要があります");
    }
    u.password_hash = ctx.app.hasher.run([pw = password.value, cost = ctx.app.config.bcrypt_cost] {
      return auth::hash_password(pw, cost);
    });
  }
  domain::update_my_profile(ctx.db(), user, u);
  return json(dto::status_json("ok"));
}

http::Response put_visibility(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  QueryReader q(ctx);
  const auto listed = q.required_boolean("display_flag");
  q.done();
  return json(dto::visibility_json(domain::set_profile_listed(ctx.db(), user, *listed)));
}

http::Response get_profile(RequestContext& ctx) {
  ctx.require_premium();
  const int64_t user_id = ctx.path_id("user_id");
  return json(dto::profile_json(domain::listed_profile(ctx.db(), user_id)));
}

http::Response search(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  QueryReader q(ctx);
  domain::SearchQuery s;
  s.prefecture = q.text("prefecture");
  s.age_band = q.text("age_band");
  s.occupation = q.text("occupation");
  s.income_range = q.text("income_range");
  s.meet_pref = q.text("meet_pref");
  s.identity = q.text("identity");
  if (auto hobbies = q.text("hobbies")) {
    std::set<std::string> seen;
    size_t start = 0;
    while (start <= hobbies->size()) {
      size_t comma = hobbies->find(',', start);
      if (comma == std::string::npos) comma = hobbies->size();
      const std::string name(text::trim(std::string_view(*hobbies).substr(start, comma - start)));
      if (!name.empty() && seen.insert(name).second) s.hobbies.push_back(name);
      start = comma + 1;
    }
  }
  s.page = q.integer_in("page", 1, 1, std::numeric_limits<int32_t>::max());
  s.size = q.integer_in("size", 20, 1, 50);
  q.done();
  return json(dto::search_json(domain::search_profiles(ctx.db(), user, s), s.page, s.size));
}

http::Response like(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  const int64_t to = ctx.path_id("to_user_id");
  return json(dto::liked_json(domain::like_member(ctx.db(), user, to)), 201);
}

http::Response likes(RequestContext& ctx) {
  return json(dto::likes_json(domain::my_likes(ctx.db(), ctx.require_premium())));
}

http::Response matches(RequestContext& ctx) {
  return json(dto::matches_json(domain::my_matches(ctx.db(), ctx.require_premium())));
}

http::Response add_image(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  const Json& body = ctx.json_object(RequestContext::kNotADict);
  dto::Validator v;
  auto url = v.str(body, "image_url", {.nullable = true, .max_len = 500});
  v.throw_if_errors();
  if (!url.has_value() || url.value.empty()) throw errors::bad_request("image_url is required");
  return json(dto::profile_image_json(domain::add_profile_image(ctx.db(), user, url.value)));
}

http::Response delete_image(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  domain::delete_profile_image(ctx.db(), user, ctx.path_id("image_id"));
  return json(dto::status_json("ok"));
}

http::Response reorder_images(RequestContext& ctx) {
  const auto& user = ctx.require_premium();
  const Json& body = ctx.json_object(RequestContext::kNotADict);
  std::vector<int64_t> ids;
  const auto it = body.find("image_ids");
  if (it != body.end()) {
    if (!it->is_array() || it->size() > domain::kMaxProfileImages) {
      throw errors::bad_request("Invalid image_ids");
    }
    for (const auto& id : *it) {
      if (!id.is_number_integer()) throw errors::bad_request("Invalid image_ids");
      ids.push_back(id.get<int64_t>());
    }
  }
  domain::reorder_profile_images(ctx.db(), user, ids);
  return json(dto::status_json("ok"));
}

std::vector<Endpoint> routes() {
  return {
      {"GET", "/api/matching/profiles/me", get_my_profile},
      {"PUT", "/api/matching/profiles/me", put_my_profile, {.json_body = true}},
      {"PUT", "/api/matching/profiles/me/visibility", put_visibility},
      {"GET", "/api/matching/profiles/{user_id}", get_profile},
      {"GET", "/api/matching/search", search},
      {"POST", "/api/matching/likes/{to_user_id}", like},
      {"GET", "/api/matching/likes", likes},
      {"GET", "/api/matching/matches", matches},
      {"POST", "/api/matching/profiles/me/images", add_image, {.json_body = true}},
      {"DELETE", "/api/matching/profiles/me/images/{image_id}", delete_image},
      {"PUT", "/api/matching/profiles/me/images/reorder", reorder_images, {.json_body = true}},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("matching", &routes);

}  // namespace

}  // namespace carat::handlers
