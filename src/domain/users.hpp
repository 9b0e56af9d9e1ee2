// Users: the account model, look-ups, registration (api.md §3, §4.1, §4.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "util/time.hpp"

namespace carat::domain {

struct User {
  int64_t id = 0;
  std::string email;
  std::string display_name;
  std::string membership_type;  // NULL read as "premium"
  bool is_active = true;        // NULL read as true
  std::optional<timeutil::Timestamp> created_at;
  std::optional<timeutil::Timestamp> updated_at;
  std::optional<std::string> password_hash;
  std::optional<std::string> phone_number;
  std::optional<std::string> real_name;
  bool is_verified = false;         // NULL read as false
  bool two_factor_enabled = false;  // NULL read as false
  int64_t carats = 0;               // likes received on the member's posts (upstream 7750a50)

  bool is_admin() const { return membership_type == "admin"; }
};

std::optional<User> find_user_by_email(db::Connection& c, const std::string& email);
std::optional<User> find_user_by_id(db::Connection& c, int64_t id);
// Login lookup (api.md §3.2 step 3): exact e-mail, else a unique case-insensitive match.
std::optional<User> find_user_for_login(db::Connection& c, const std::string& email);
// Every user in id order (admin list).
std::vector<User> all_users(db::Connection& c);

struct Registration {
  std::string email;  // normalized
  std::string password_hash;
  std::string display_name;
  std::string membership_type;
  std::optional<std::string> phone_number;
};
// One transaction: the e-mail is free (case-insensitively), the user row, its default profile
// and its matching profile (as upstream 7750a50 registers). 400 "Email already registered" when
// it is taken, also by a concurrent registration.
User register_user(db::Connection& c, const Registration& r);
// 400 "Email already registered" when the address (ASCII case aside) has an account: checked
// before the password is hashed, so a flood of registrations with a taken address costs no
// bcrypt (register_user checks again in its transaction).
void check_email_available(db::Connection& c, const std::string& email);

// The new display name; 401 when the user vanished meanwhile.
User update_display_name(db::Connection& c, const User& user, const std::string& name);

struct UserStats {
  int64_t posts_count = 0;
  int64_t likes_received = 0;
  int64_t total_points = 0;  // a point per like received, five per post (upstream's rule)
};
UserStats user_stats(db::Connection& c, const User& user);

struct UserCounts {
  int64_t total_users = 0;
  int64_t active_users = 0;
};
UserCounts user_counts(db::Connection& c);

}  // namespace carat::domain
