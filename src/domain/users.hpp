// Users and profiles: row mapping and the rules of api.md §3–§4 that touch the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "db/database.hpp"

namespace carat::domain {

struct User {
  int64_t id = 0;
  std::string email;
  std::string display_name;
  std::string membership_type;  // NULL read as "premium"
  bool is_active = true;        // NULL read as true
  std::optional<std::string> created_at;  // API form
  std::optional<std::string> updated_at;
  std::optional<std::string> password_hash;

  bool is_admin() const { return membership_type == "admin"; }
};

struct Profile {
  int64_t user_id = 0;
  std::string handle;
  std::optional<std::string> bio;
  std::optional<int64_t> orientation_id, gender_id, pronoun_id;
  std::optional<std::string> birthday;
  std::optional<std::string> location, website, avatar_url, banner_url;
  bool is_profile_public = false;
  bool show_orientation = false, show_gender = false, show_pronoun = false,
       show_birthday = false, show_location = false;
  std::optional<std::string> created_at, updated_at;
};

User user_from_row(const db::ResultSet& rs, size_t row);
Profile profile_from_row(const db::ResultSet& rs, size_t row);

std::optional<User> find_user_by_email(db::Connection& c, const std::string& email);
std::optional<User> find_user_by_id(db::Connection& c, int64_t id);

// Login lookup (api.md §3.2 step 3): exact e-mail, else a unique case-insensitive match.
std::optional<User> find_user_for_login(db::Connection& c, const std::string& email);

std::optional<Profile> find_profile(db::Connection& c, int64_t user_id);

// Creates the default profile (handle user_<id>, or user_<id>_2, …) if the user has none.
// Must run inside a write transaction.
void ensure_profile(db::Connection& c, int64_t user_id);
// The same for a user known to have no profile (just created).
void create_default_profile(db::Connection& c, int64_t user_id);

// Ids of the API are 32-bit (api.md §1.4): anything else refers to nothing.
inline bool valid_id(int64_t id) { return id >= 1 && id <= 2147483647; }

}  // namespace carat::domain
