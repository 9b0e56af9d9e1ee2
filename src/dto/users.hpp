// JSON shapes of api.md §1.14 for users, profiles and tokens (keys in contract order).
#pragma once

#include <string>
#include <vector>

#include "domain/profiles.hpp"
#include "domain/users.hpp"
#include "dto/json.hpp"
#include "util/json_writer.hpp"

namespace carat::dto {

inline void write_user_fields(JsonWriter& w, const domain::User& u) {
  w.field("email", u.email);
  w.field("display_name", u.display_name);
  w.field("id", u.id);
  w.field("membership_type", u.membership_type);
  w.field("is_active", u.is_active);
  w.field("created_at", u.created_at);
}

inline void write_user_out(JsonWriter& w, const domain::User& u) {
  w.begin_object();
  write_user_fields(w, u);
  w.end_object();
}

inline void write_public_user_out(JsonWriter& w, const domain::User& u) {
  w.begin_object();
  w.field("display_name", u.display_name);
  w.field("id", u.id);
  w.field("created_at", u.created_at);
  w.end_object();
}

// `masked`: another caller's view, with the show_* flags applied (api.md §4.3).
inline void write_profile_out(JsonWriter& w, const domain::Profile& p, bool masked) {
  // A masked field is null unless its show_* flag is set.
  auto shown = [&](std::string_view key, const auto& value, bool flag) {
    if (!masked || flag) {
      w.field(key, value);
    } else {
      w.field_null(key);
    }
  };
  w.begin_object();
  w.field("handle", p.handle);
  w.field("bio", p.bio);
  shown("orientation_id", p.orientation_id, p.show_orientation);
  shown("gender_id", p.gender_id, p.show_gender);
  shown("pronoun_id", p.pronoun_id, p.show_pronoun);
  shown("birthday", p.birthday, p.show_birthday);
  shown("location", p.location, p.show_location);
  w.field("website", p.website);
  w.field("avatar_url", p.avatar_url);
  w.field("banner_url", p.banner_url);
  w.field("is_profile_public", p.is_profile_public);
  w.field("show_orientation", p.show_orientation);
  w.field("show_gender", p.show_gender);
  w.field("show_pronoun", p.show_pronoun);
  w.field("show_birthday", p.show_birthday);
  w.field("show_location", p.show_location);
  w.field("user_id", p.user_id);
  w.field("created_at", p.created_at);
  w.field("updated_at", p.updated_at);
  w.end_object();
}

inline std::string user_json(const domain::User& u) { return object_json(u, write_user_out); }

// GET /api/auth/me: UserOut, then the caller's phone number and real name, which upstream
// 7750a50's account page fills its form from (its own backend leaves them out).
inline std::string me_json(const domain::User& u) {
  JsonWriter w;
  w.begin_object();
  write_user_fields(w, u);
  w.field("phone_number", u.phone_number).field("real_name", u.real_name).end_object();
  return w.take();
}

inline std::string public_user_json(const domain::User& u) {
  return object_json(u, write_public_user_out);
}

inline std::string users_json(const std::vector<domain::User>& users) {
  return array_json(users, write_user_out);
}

inline std::string profile_json(const domain::Profile& p, bool masked) {
  JsonWriter w;
  write_profile_out(w, p, masked);
  return w.take();
}

// {"access_token": ..., "token_type": "bearer"} (api.md §3.2).
inline std::string token_json(const std::string& access_token) {
  JsonWriter w;
  w.begin_object().field("access_token", access_token).field("token_type", "bearer").end_object();
  return w.take();
}

// {"posts_count", "likes_received", "total_points"} (upstream 7750a50).
inline std::string user_stats_json(const domain::UserStats& s) {
  JsonWriter w;
  w.begin_object()
      .field("posts_count", s.posts_count)
      .field("likes_received", s.likes_received)
      .field("total_points", s.total_points)
      .end_object();
  return w.take();
}

// {"total_users", "active_users"} (upstream 7750a50's admin stats).
inline std::string user_counts_json(const domain::UserCounts& c) {
  JsonWriter w;
  w.begin_object()
      .field("total_users", c.total_users)
      .field("active_users", c.active_users)
      .end_object();
  return w.take();
}

}  // namespace carat::dto
