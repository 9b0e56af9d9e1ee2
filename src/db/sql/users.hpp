// SQL for users and profiles.
#pragma once

#include "db/database.hpp"

namespace carat::db::sql::users {

// Column list of a user row, in the order domain/users.cpp reads it.
#define CARAT_USER_COLUMNS \
  "id, email, display_name, membership_type, is_active, created_at, updated_at, password_hash"

inline constexpr Query kByEmail{"users_by_email",
                                "SELECT " CARAT_USER_COLUMNS " FROM users WHERE email = $1"};

// At most two rows: the caller needs to know whether the case-insensitive match is unique.
inline constexpr Query kByEmailCaseInsensitive{
    "users_by_email_ci",
    "SELECT " CARAT_USER_COLUMNS " FROM users WHERE lower(email::text) = lower($1) "
    "ORDER BY id LIMIT 2",
    "SELECT " CARAT_USER_COLUMNS " FROM users WHERE lower(email) = lower($1) ORDER BY id LIMIT 2"};

inline constexpr Query kById{"users_by_id",
                             "SELECT " CARAT_USER_COLUMNS " FROM users WHERE id = $1"};

inline constexpr Query kAll{"users_all", "SELECT " CARAT_USER_COLUMNS " FROM users ORDER BY id"};

inline constexpr Query kEmailTaken{
    "users_email_taken", "SELECT 1 FROM users WHERE lower(email::text) = lower($1) LIMIT 1",
    "SELECT 1 FROM users WHERE lower(email) = lower($1) LIMIT 1"};

inline constexpr Query kInsert{
    "users_insert",
    "INSERT INTO users (email, password_hash, display_name, membership_type, is_active, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, now(), now()) "
    "RETURNING " CARAT_USER_COLUMNS};

inline constexpr Query kUpdateDisplayName{
    "users_update_display_name",
    "UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1 "
    "RETURNING " CARAT_USER_COLUMNS};

#undef CARAT_USER_COLUMNS

}  // namespace carat::db::sql::users

namespace carat::db::sql::profiles {

#define CARAT_PROFILE_COLUMNS                                                                \
  "user_id, handle, bio, orientation_id, gender_id, pronoun_id, birthday, location, website, " \
  "avatar_url, banner_url, is_profile_public, show_orientation, show_gender, show_pronoun, "   \
  "show_birthday, show_location, created_at, updated_at"

inline constexpr Query kByUser{"profiles_by_user",
                               "SELECT " CARAT_PROFILE_COLUMNS " FROM profiles WHERE user_id = $1"};

inline constexpr Query kByUserForUpdate{
    "profiles_by_user_for_update",
    "SELECT " CARAT_PROFILE_COLUMNS " FROM profiles WHERE user_id = $1 FOR UPDATE",
    "SELECT " CARAT_PROFILE_COLUMNS " FROM profiles WHERE user_id = $1"};

// Case-insensitive handle lookup; the exact-case match first, then the lowest user id.
inline constexpr Query kByHandle{
    "profiles_by_handle",
    "SELECT " CARAT_PROFILE_COLUMNS " FROM profiles WHERE lower(handle::text) = lower($1) "
    "ORDER BY (handle::text = $1) DESC, user_id LIMIT 1",
    "SELECT " CARAT_PROFILE_COLUMNS " FROM profiles WHERE lower(handle) = lower($1) "
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

inline constexpr Query kUpdate{
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

}  // namespace carat::db::sql::profiles
