// /api/profiles (api.md §4.3, §4.4).
#include "domain/profiles.hpp"

#include "dto/users.hpp"
#include "dto/validate.hpp"
#include "handlers/common.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace carat::handlers {

namespace {

using dto::Json;

http::Response get_own(RequestContext& ctx) {
  const auto& user = ctx.require_user();
  return json(dto::profile_json(domain::own_profile(ctx.db(), user.id), false));
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

void merge_lookup(dto::Validator& v, const Json& body, std::string_view key,
                  domain::LookupTable table, const domain::LookupExists& exists,
                  std::optional<int64_t>& target) {
  auto it = body.find(key);
  if (it == body.end()) return;
  auto f = v.integer(body, key, {.nullable = true});
  if (!f.present) return;
  if (f.null) {
    target.reset();
    return;
  }
  if (target && *target == f.value) return;
  if (!exists(table, f.value)) {
    v.value_error({std::string("body"), std::string(key)}, "unknown " + std::string(key), *it);
    return;
  }
  target = f.value;
}

void merge_flag(dto::Validator& v, const Json& body, std::string_view key, bool& target) {
  auto f = v.boolean(body, key, false, false);
  if (f.present) target = f.value;
}

void merge_handle(dto::Validator& v, const Json& body, std::string& handle) {
  auto it = body.find("handle");
  if (it == body.end()) return;
  if (it->is_string() && it->get_ref<const std::string&>() == handle) return;
  auto f = v.str(body, "handle", {.min_len = 1, .max_len = 50});
  if (!f.present) return;
  if (!handle_is_valid(f.value)) {
    v.value_error({std::string("body"), std::string("handle")}, "invalid handle", *it);
    return;
  }
  handle = f.value;
}

void merge_birthday(dto::Validator& v, const Json& body, std::optional<std::string>& birthday) {
  auto it = body.find("birthday");
  if (it == body.end()) return;
  if (it->is_null()) {
    birthday.reset();
    return;
  }
  if (it->is_string() && birthday && *birthday == it->get_ref<const std::string&>()) return;
  if (it->is_string() && timeutil::is_valid_date(it->get_ref<const std::string&>())) {
    birthday = it->get<std::string>();
    return;
  }
  v.add("date_parsing", {std::string("body"), std::string("birthday")},
        "Input should be a valid date in the format YYYY-MM-DD", dto::input_json(*it));
}

http::Response put_own(RequestContext& ctx) {
  using domain::LookupTable;
  const auto& user = ctx.require_user();
  const auto& body = ctx.json_object();
  // The request is read against the stored profile, inside the domain's transaction.
  const auto edit = [&](const domain::Profile&, domain::Profile& p,
                        const domain::LookupExists& exists) {
    dto::Validator v;
    merge_handle(v, body, p.handle);
    merge_string(v, body, "bio", 0, p.bio);
    merge_lookup(v, body, "orientation_id", LookupTable::kOrientation, exists, p.orientation_id);
    merge_lookup(v, body, "gender_id", LookupTable::kGender, exists, p.gender_id);
    merge_lookup(v, body, "pronoun_id", LookupTable::kPronoun, exists, p.pronoun_id);
    merge_birthday(v, body, p.birthday);
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
  };
  return json(dto::profile_json(domain::edit_own_profile(ctx.db(), user.id, edit), false));
}

http::Response get_by_handle(RequestContext& ctx) {
  const std::string& handle = ctx.path("handle");
  const auto* caller = ctx.optional_user();
  auto found = domain::profile_by_handle(ctx.db(), caller != nullptr ? caller->id : 0, handle);
  if (!found) throw errors::not_found("Profile not found");
  return json(dto::profile_json(found->profile, found->masked));
}

std::vector<Endpoint> routes() {
  return {
      {"GET", "/api/profiles/me", get_own},
      {"PUT", "/api/profiles/me", put_own, {.json_body = true}},
      {"GET", "/api/profiles/{handle}", get_by_handle},
  };
}

[[maybe_unused]] const bool kRegistered = app::register_routes("profiles", &routes);

}  // namespace

}  // namespace carat::handlers
