// JSON shapes of /api/matching profiles, search, likes and matches (upstream 7750a50's keys, in
// its order). Empty text is written as "" where upstream writes `x or ""`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/matching.hpp"
#include "domain/users.hpp"
#include "dto/json.hpp"

namespace carat::dto {

// `value or ""`.
inline std::string_view or_empty(const std::optional<std::string>& value) {
  return value ? std::string_view(*value) : std::string_view();
}

// The stored JSON of romance_targets, or [] when it is empty, null, falsy or not JSON at all (a
// legacy SQLite row).
inline void write_romance_targets(JsonWriter& w, const std::optional<std::string>& stored) {
  if (!stored || !nlohmann::json::accept(*stored)) {
    w.begin_array().end_array();
    return;
  }
  const auto value = nlohmann::json::parse(*stored);
  const bool falsy = value.is_null() || (value.is_boolean() && !value.get<bool>()) ||
                     (value.is_number() && value.get<double>() == 0) ||
                     (value.is_string() && value.get_ref<const std::string&>().empty()) ||
                     (value.is_array() && value.empty()) || (value.is_object() && value.empty());
  if (falsy) {
    w.begin_array().end_array();
  } else {
    w.raw(*stored);
  }
}

// A display name, or upstream's "User <id>" when the member has none.
inline std::string name_or_user(const std::optional<std::string>& name, int64_t user_id) {
  if (name && !name->empty()) return *name;
  return "User " + std::to_string(user_id);
}

// `meeting_style or meet_pref or ""` (the older column stands in for the newer).
inline std::string_view meeting_style(const db::MatchingProfileColumns& p) {
  if (p.meeting_style && !p.meeting_style->empty()) return *p.meeting_style;
  return or_empty(p.meet_pref);
}

// A profile image: {"id", "url", "order"}
inline void write_profile_image(JsonWriter& w, const db::ProfileImageRow& i) {
  w.begin_object().field("id", i.id).field("url", i.image_url).field("order", i.display_order);
  w.end_object();
}

inline void write_hobbies_and_images(JsonWriter& w, const domain::MatchingProfile& m) {
  w.key("hobbies").begin_array();
  for (const auto& h : m.hobbies) w.value(h);
  w.end_array();
  w.key("images").begin_array();
  for (const auto& i : m.images) write_profile_image(w, i);
  w.end_array();
}

// The profile's fields from display_flag on, as both profile answers write them; `own` adds the
// hometown, which only the member sees.
inline void write_profile_fields(JsonWriter& w, const domain::MatchingProfile& m, bool own) {
  const auto& p = m.profile.p;
  w.field("display_flag", p.display_flag);
  w.field("prefecture", p.prefecture);
  w.field("residence_detail", or_empty(p.residence_detail));
  if (own) w.field("hometown", or_empty(p.hometown));
  w.field("age_band", or_empty(p.age_band));
  w.field("occupation", or_empty(p.occupation));
  w.field("income_range", or_empty(p.income_range));
  w.field("blood_type", or_empty(p.blood_type));
  w.field("zodiac", or_empty(p.zodiac));
  w.field("meet_pref", or_empty(p.meet_pref));
  w.field("meeting_style", meeting_style(p));
  w.field("bio", or_empty(p.bio));
  w.field("identity", or_empty(p.identity));
  w.field("avatar_url", "");
  w.key("romance_targets");
  write_romance_targets(w, p.romance_targets);
  write_hobbies_and_images(w, m);
}

// GET /profiles/me: the member's account fields with the profile.
inline std::string my_profile_json(const domain::User& u, const domain::MatchingProfile& m) {
  JsonWriter w;
  w.begin_object();
  w.field("user_id", m.profile.user_id);
  w.field("nickname", u.display_name);
  w.field("email", u.email);
  w.field("display_name", u.display_name);
  w.field("real_name", or_empty(u.real_name));
  w.field("phone_number", or_empty(u.phone_number));
  write_profile_fields(w, m, /*own=*/true);
  w.end_object();
  return w.take();
}

// GET /profiles/{user_id}: what other members see.
inline std::string profile_json(const domain::MatchingProfile& m) {
  const auto& p = m.profile.p;
  JsonWriter w;
  w.begin_object();
  w.field("user_id", m.profile.user_id);
  w.field("nickname", or_empty(p.nickname));
  w.field("display_name", m.display_name);
  write_profile_fields(w, m, /*own=*/false);
  w.end_object();
  return w.take();
}

// {"status": "ok", "display_flag": ...}
inline std::string visibility_json(bool listed) {
  JsonWriter w;
  w.begin_object().field("status", "ok").field("display_flag", listed).end_object();
  return w.take();
}

// {"items": [...], "page", "size", "count"}
inline std::string search_json(const domain::SearchPage& page, int64_t number, int64_t size) {
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (const auto& r : page.items) {
    w.begin_object();
    w.field("user_id", r.user_id);
    w.field("display_name", name_or_user(r.display_name, r.user_id));
    w.field("prefecture", r.prefecture);
    w.field("age_band", r.age_band);
    w.field("identity", r.identity);
    w.key("romance_targets");
    write_romance_targets(w, r.romance_targets);
    w.field("avatar_url", or_empty(r.main_image));
    w.end_object();
  }
  w.end_array();
  w.field("page", number).field("size", size).field("count", page.total);
  w.end_object();
  return w.take();
}

// POST /likes/{id}
inline std::string liked_json(int64_t like_id) {
  JsonWriter w;
  w.begin_object().field("status", "liked").field("like_id", like_id).end_object();
  return w.take();
}

inline std::string likes_json(const std::vector<db::LikeRow>& likes) {
  return items_json(likes, [](JsonWriter& w, const db::LikeRow& l) {
    w.begin_object();
    w.field("like_id", l.like_id);
    w.field("user_id", l.user_id);
    w.field("display_name", name_or_user(l.display_name, l.user_id));
    w.field("identity", l.identity);
    w.field("prefecture", l.prefecture);
    w.field("age_band", l.age_band);
    w.field("avatar_url", l.main_image);
    w.end_object();
  });
}

inline std::string matches_json(const std::vector<db::MatchRow>& matches) {
  return items_json(matches, [](JsonWriter& w, const db::MatchRow& m) {
    w.begin_object();
    w.field("match_id", m.match_id);
    w.field("user_id", m.user_id);
    w.field("display_name", name_or_user(m.display_name, m.user_id));
    w.end_object();
  });
}

inline std::string profile_image_json(const db::ProfileImageRow& i) {
  return object_json(i, write_profile_image);
}

}  // namespace carat::dto
