// Profiles and the lookup tables they reference (orientations, genders, pronouns).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "db/database.hpp"
#include "db/row.hpp"
#include "util/time.hpp"

namespace carat::db {

// A profile row, members in the order of kProfileColumns.
struct ProfileRow {
  int64_t user_id = 0;
  std::string handle;
  std::optional<std::string> bio;
  std::optional<int64_t> orientation_id;
  std::optional<int64_t> gender_id;
  std::optional<int64_t> pronoun_id;
  std::optional<std::string> birthday;  // as stored (a date, or legacy text that starts with one)
  std::optional<std::string> location;
  std::optional<std::string> website;
  std::optional<std::string> avatar_url;
  std::optional<std::string> banner_url;
  bool is_profile_public = false;  // NULL reads as false, as every flag
  bool show_orientation = false;
  bool show_gender = false;
  bool show_pronoun = false;
  bool show_birthday = false;
  bool show_location = false;
  std::optional<timeutil::Timestamp> created_at;
  std::optional<timeutil::Timestamp> updated_at;
};

// Every writable column of a profile (kUpdate's $2..$17).
struct ProfileColumns {
  std::string handle;
  std::optional<std::string> bio;
  std::optional<int64_t> orientation_id, gender_id, pronoun_id;
  std::optional<std::string> birthday;
  std::optional<std::string> location, website, avatar_url, banner_url;
  bool is_profile_public = false;
  bool show_orientation = false, show_gender = false, show_pronoun = false, show_birthday = false,
       show_location = false;
};

enum class Lookup { kOrientation, kGender, kPronoun };

namespace profiles_sql {

#define CARAT_PROFILE_COLUMNS                                                                  \
  "user_id, handle, bio, orientation_id, gender_id, pronoun_id, birthday, location, website, " \
  "avatar_url, banner_url, is_profile_public, show_orientation, show_gender, show_pronoun, "   \
  "show_birthday, show_location, created_at, updated_at"

inline constexpr Select<ProfileRow> kByUser{
    "profiles_by_user", "SELECT " CARAT_PROFILE_COLUMNS " FROM profiles WHERE user_id = $1"};

inline constexpr Select<ProfileRow> kByUserForUpdate{
    "profiles_by_user_for_update",
    "SELECT " CARAT_PROFILE_COLUMNS " FROM profiles WHERE user_id = $1 FOR UPDATE",
    "SELECT " CARAT_PROFILE_COLUMNS " FROM profiles WHERE user_id = $1"};

// Case-insensitive handle lookup; the exact-case match first, then the lowest user id.
inline constexpr Select<ProfileRow> kByHandle{
    "profiles_by_handle",
    "SELECT " CARAT_PROFILE_COLUMNS
    " FROM profiles WHERE lower(handle::text) = lower($1) "
    "ORDER BY (handle::text = $1) DESC, user_id LIMIT 1",
    "SELECT " CARAT_PROFILE_COLUMNS
    " FROM profiles WHERE lower(handle) = lower($1) "
    "ORDER BY (handle = $1) DESC, user_id LIMIT 1"};

inline constexpr Query kHandleTakenByOther{
    "profiles_handle_taken",
    "SELECT 1 FROM profiles WHERE lower(handle::text) = lower($1) AND user_id <> $2 LIMIT 1",
    "SELECT 1 FROM profiles WHERE lower(handle) = lower($1) AND user_id <> $2 LIMIT 1"};

inline constexpr Query kInsertDefault{
    "profiles_insert_default",
    "INSERT INTO profiles (user_id, handle, bio, orientation_id, gender_id, pronoun_id, birthday, "
    "location, website, avatar_url, banner_url, is_profile_public, show_orientation, show_gender, "
    "show_pronoun, show_birthday, show_location, created_at, updated_at) VALUES ($1, $2, NULL, 1, "
    "1, 1, NULL, NULL, NULL, NULL, NULL, $3, $3, $3, $3, $3, $3, now(), now()) "
    "ON CONFLICT (user_id) DO NOTHING"};

// $1 user, then ProfileColumns in member order.
inline constexpr Select<ProfileRow> kUpdate{
    "profiles_update",
    "UPDATE profiles SET handle = $2, bio = $3, orientation_id = $4, gender_id = $5, "
    "pronoun_id = $6, birthday = $7, location = $8, website = $9, avatar_url = $10, "
    "banner_url = $11, is_profile_public = $12, show_orientation = $13, show_gender = $14, "
    "show_pronoun = $15, show_birthday = $16, show_location = $17, updated_at = now() "
    "WHERE user_id = $1 RETURNING " CARAT_PROFILE_COLUMNS};

#undef CARAT_PROFILE_COLUMNS

inline constexpr Query kOrientationExists{"lookup_orientation",
                                          "SELECT 1 FROM orientations WHERE id = $1"};
inline constexpr Query kGenderExists{"lookup_gender", "SELECT 1 FROM genders WHERE id = $1"};
inline constexpr Query kPronounExists{"lookup_pronoun", "SELECT 1 FROM pronouns WHERE id = $1"};

}  // namespace profiles_sql

class ProfilesRepository {
 public:
  explicit ProfilesRepository(Connection& c) : c_(c) {}

  std::optional<ProfileRow> by_user(int64_t user_id) {
    return fetch_one(c_, profiles_sql::kByUser, {user_id});
  }
  // Locked for update (PostgreSQL).
  std::optional<ProfileRow> lock_by_user(int64_t user_id) {
    return fetch_one(c_, profiles_sql::kByUserForUpdate, {user_id});
  }
  std::optional<ProfileRow> by_handle(const std::string& handle) {
    return fetch_one(c_, profiles_sql::kByHandle, {handle});
  }
  bool handle_taken_by_other(const std::string& handle, int64_t user_id) {
    return exists(c_, profiles_sql::kHandleTakenByOther, {handle, user_id});
  }
  // The default profile: lookups 1 ("unspecified"), every flag `flags`; nothing if one exists.
  void insert_default(int64_t user_id, const std::string& handle, bool flags) {
    c_.exec(profiles_sql::kInsertDefault, {user_id, handle, flags});
  }
  std::optional<ProfileRow> update(int64_t user_id, const ProfileColumns& p) {
    return fetch_one(
        c_, profiles_sql::kUpdate,
        {user_id, p.handle, p.bio, p.orientation_id, p.gender_id, p.pronoun_id, p.birthday,
         p.location, p.website, p.avatar_url, p.banner_url, p.is_profile_public, p.show_orientation,
         p.show_gender, p.show_pronoun, p.show_birthday, p.show_location});
  }
  bool lookup_exists(Lookup table, int64_t id) {
    const Query& q = table == Lookup::kOrientation ? profiles_sql::kOrientationExists
                     : table == Lookup::kGender    ? profiles_sql::kGenderExists
                                                   : profiles_sql::kPronounExists;
    return exists(c_, q, {id});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
