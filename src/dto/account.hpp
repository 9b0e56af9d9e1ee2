// JSON shapes of /api/account (upstream 7750a50's AccountResponse).
#pragma once

#include <string>

#include "domain/users.hpp"
#include "dto/json.hpp"

namespace carat::dto {

inline void write_account(JsonWriter& w, const domain::User& u) {
  w.begin_object();
  w.field("id", u.id);
  w.field("email", u.email);
  w.field("display_name", u.display_name);
  w.field("membership_type", u.membership_type);
  w.field("phone_number", u.phone_number);
  w.field("real_name", u.real_name);
  w.field("is_verified", u.is_verified);
  w.field("two_factor_enabled", u.two_factor_enabled);
  w.field("is_active", u.is_active);
  // A string always: upstream writes "" when the column is NULL.
  w.field("created_at", u.created_at ? u.created_at->api : std::string());
  w.end_object();
}

inline std::string account_json(const domain::User& u) { return object_json(u, write_account); }

// {"message": ..., "account": AccountResponse}
inline std::string account_updated_json(const domain::User& u) {
  JsonWriter w;
  w.begin_object().field("message", "アカウント情報を更新しました").key("account");
  write_account(w, u);
  w.end_object();
  return w.take();
}

}  // namespace carat::dto
