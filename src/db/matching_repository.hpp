// Matching (upstream 7750a50): profiles, hobbies, profile images, the search, likes and matches.
// Queries and rows; chats and chat requests are in chat_repository.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/json_params.hpp"
#include "db/row.hpp"
#include "util/time.hpp"

namespace carat::db {

// The member-editable columns of matching_profiles, in table order (romance_targets: JSON text).
struct MatchingProfileColumns {
  static constexpr bool kColumnGroup = true;
  std::optional<std::string> nickname;
  bool display_flag = true;
  std::string prefecture;  // NOT NULL
  std::optional<std::string> residence_detail, hometown, age_band, occupation, income_range,
      blood_type, zodiac, meet_pref, meeting_style, bio, identity, romance_targets;
};

struct MatchingProfileRow {
  int64_t user_id = 0;
  MatchingProfileColumns p;
};

struct ProfileImageRow {
  int64_t id = 0;
  std::string image_url;
  int64_t display_order = 0;
};

// A profile image with its creation time as the database printed it (rewritten unchanged when
// the order is rewritten).
struct StoredProfileImageRow {
  int64_t id = 0;
  std::string image_url;
  int64_t display_order = 0;
  std::optional<std::string> created_at;
};

// A card of the search, the likes list, the chat-request lists: who, and their first image.
struct SearchRow {
  int64_t user_id = 0;
  std::optional<std::string> display_name;
  std::optional<std::string> prefecture, age_band, identity, romance_targets, main_image;
  int64_t total = 0;  // rows of the whole search (window count)
};

struct LikeRow {
  int64_t like_id = 0;
  int64_t user_id = 0;
  std::optional<std::string> display_name;
  std::optional<std::string> identity, prefecture, age_band, main_image;
};

struct MatchRow {
  int64_t match_id = 0;
  int64_t user_id = 0;
  std::optional<std::string> display_name;
};

// The filters of GET /api/matching/search, all equality; a profile matches `hobbies` when it
// has any of them (none: no hobby filter).
struct SearchFilter {
  int64_t caller = 0;
  std::optional<std::string> prefecture, age_band, occupation, income_range, meet_pref, identity;
  std::vector<std::string> hobbies;
  int64_t limit = 20;
  int64_t offset = 0;
};

namespace matching_sql {

// The row HEAD's registration creates for every new member: listed, prefecture "未設定" (not
// set), no romance targets. Every column without a database default is written.
inline constexpr Query kInsertDefault{
    "matching_profiles_insert_default",
    "INSERT INTO matching_profiles (user_id, display_flag, prefecture, romance_targets, "
    "created_at, updated_at) VALUES ($1, true, '未設定', '[]', now(), now()) "
    "ON CONFLICT (user_id) DO NOTHING"};

// The row HEAD creates when a member without one opens matching: listed, prefecture "".
inline constexpr Query kInsertEmpty{
    "matching_profiles_insert_empty",
    "INSERT INTO matching_profiles (user_id, display_flag, prefecture, romance_targets, "
    "created_at, updated_at) VALUES ($1, true, '', '[]', now(), now()) "
    "ON CONFLICT (user_id) DO NOTHING"};

inline constexpr Select<MatchingProfileRow> kProfile{
    "matching_profile",
    "SELECT user_id, nickname, display_flag, prefecture, residence_detail, hometown, age_band, "
    "occupation, income_range, blood_type, zodiac, meet_pref, meeting_style, bio, identity, "
    "romance_targets FROM matching_profiles WHERE user_id = $1"};

// Locks the member's profile row for the rest of the transaction (image count and order).
inline constexpr Query kLockProfile{
    "matching_profile_lock", "SELECT 1 FROM matching_profiles WHERE user_id = $1 FOR UPDATE",
    "SELECT 1 FROM matching_profiles WHERE user_id = $1"};

// $1 user_id, then MatchingProfileColumns in member order.
inline constexpr Query kUpdateProfile{
    "matching_profile_update",
    "UPDATE matching_profiles SET nickname = $2, display_flag = $3, prefecture = $4, "
    "residence_detail = $5, hometown = $6, age_band = $7, occupation = $8, income_range = $9, "
    "blood_type = $10, zodiac = $11, meet_pref = $12, meeting_style = $13, bio = $14, "
    "identity = $15, romance_targets = $16, updated_at = now() WHERE user_id = $1"};

inline constexpr Query kSetVisibility{
    "matching_profile_visibility",
    "UPDATE matching_profiles SET display_flag = $2, updated_at = now() WHERE user_id = $1"};

// A listed profile of an active member (deactivated accounts are hidden).
inline constexpr Select<MatchingProfileRow> kListedProfile{
    "matching_profile_listed",
    "SELECT mp.user_id, mp.nickname, mp.display_flag, mp.prefecture, mp.residence_detail, "
    "mp.hometown, mp.age_band, mp.occupation, mp.income_range, mp.blood_type, mp.zodiac, "
    "mp.meet_pref, mp.meeting_style, mp.bio, mp.identity, mp.romance_targets "
    "FROM matching_profiles mp JOIN users u ON u.id = mp.user_id "
    "WHERE mp.user_id = $1 AND mp.display_flag = true AND u.is_active IS NOT false"};

// ---- hobbies ----

// In the order they were first created (HEAD's order: known names, then new ones).
inline constexpr Select<Value<std::string>> kHobbies{
    "matching_hobbies_of",
    "SELECT h.name FROM hobbies h JOIN matching_profile_hobbies mh ON mh.hobby_id = h.id "
    "WHERE mh.profile_id = $1 ORDER BY h.id"};

inline constexpr Query kClearHobbies{
    "matching_hobbies_clear", "DELETE FROM matching_profile_hobbies WHERE profile_id = $1"};

// $1: a JSON array of distinct names. Creates the names nobody used yet.
inline constexpr Query kCreateHobbies{
    "matching_hobbies_create",
    "INSERT INTO hobbies (name, created_at) SELECT value, now() FROM json_array_elements_text($1::json) "
    "ON CONFLICT (name) DO NOTHING",
    "INSERT INTO hobbies (name, created_at) SELECT value, now() FROM json_each($1) WHERE true "
    "ON CONFLICT (name) DO NOTHING"};

// $1 profile, $2: the JSON array of names.
inline constexpr Query kLinkHobbies{
    "matching_hobbies_link",
    "INSERT INTO matching_profile_hobbies (profile_id, hobby_id) SELECT $1, id FROM hobbies "
    "WHERE name IN (SELECT json_array_elements_text($2::json))",
    "INSERT INTO matching_profile_hobbies (profile_id, hobby_id) SELECT $1, id FROM hobbies "
    "WHERE name IN (SELECT value FROM json_each($2))"};

// ---- profile images ----

inline constexpr Select<ProfileImageRow> kImages{
    "matching_images_of",
    "SELECT id, image_url, display_order FROM matching_profile_images WHERE profile_id = $1 "
    "ORDER BY display_order, id"};

inline constexpr Select<StoredProfileImageRow> kTakeImages{
    "matching_images_take",
    "DELETE FROM matching_profile_images WHERE profile_id = $1 "
    "RETURNING id, image_url, display_order, created_at"};

// $1 profile, $2 url, $3 order.
inline constexpr Select<ProfileImageRow> kInsertImage{
    "matching_image_insert",
    "INSERT INTO matching_profile_images (profile_id, image_url, display_order, created_at) "
    "VALUES ($1, $2, $3, now()) RETURNING id, image_url, display_order"};

// An image taken by kTakeImages, back at a new place: $1 id, $2 profile, $3 url, $4 order,
// $5 created_at as it was printed.
inline constexpr Query kRestoreImage{
    "matching_image_restore",
    "INSERT INTO matching_profile_images (id, profile_id, image_url, display_order, created_at) "
    "VALUES ($1, $2, $3, $4, $5)"};

// The member uploaded an asset with this URL (media_assets).
inline constexpr Query kOwnsMedia{
    "matching_owns_media",
    "SELECT 1 FROM media_assets WHERE url = $1 AND user_id = $2 LIMIT 1"};

// ---- search ----

// The search statement for a set of filters (bit i: filter i of SearchFilter, in member order;
// bit 6: hobbies). Parameters: $1 caller, $2 limit, $3 offset, then each present filter's value.
const Select<SearchRow>& search(Dialect d, unsigned filters);

// ---- likes and matches ----

inline constexpr Select<Value<int64_t>> kFindLike{
    "matching_like_find",
    "SELECT id FROM likes WHERE from_user_id = $1 AND to_user_id = $2"};
inline constexpr Query kActivateLike{
    "matching_like_activate", "UPDATE likes SET status = 'active' WHERE id = $1"};
inline constexpr Select<Value<int64_t>> kInsertLike{
    "matching_like_insert",
    "INSERT INTO likes (from_user_id, to_user_id, status, created_at) "
    "VALUES ($1, $2, 'active', now()) RETURNING id"};

// The member's active likes, newest first, with the liked member's card and first image.
inline constexpr Select<LikeRow> kLikes{
    "matching_likes_of",
    "SELECT l.id, l.to_user_id, u.display_name, mp.identity, mp.prefecture, mp.age_band, "
    "(SELECT i.image_url FROM matching_profile_images i WHERE i.profile_id = l.to_user_id "
    "ORDER BY i.display_order, i.id LIMIT 1) FROM likes l "
    "LEFT JOIN users u ON u.id = l.to_user_id "
    "LEFT JOIN matching_profiles mp ON mp.user_id = l.to_user_id "
    "WHERE l.from_user_id = $1 AND l.status = 'active' ORDER BY l.id DESC"};

inline constexpr Select<MatchRow> kMatches{
    "matching_matches_of",
    "SELECT m.id, o.other_id, u.display_name FROM matches m "
    "JOIN (SELECT id, CASE WHEN user_a_id = $1 THEN user_b_id ELSE user_a_id END AS other_id "
    "FROM matches WHERE user_a_id = $1 OR user_b_id = $1) o ON o.id = m.id "
    "LEFT JOIN users u ON u.id = o.other_id ORDER BY m.id"};

}  // namespace matching_sql

class MatchingRepository {
 public:
  explicit MatchingRepository(Connection& c) : c_(c) {}

  void insert_default_profile(int64_t user_id) {
    c_.exec(matching_sql::kInsertDefault, {user_id});
  }
  void insert_empty_profile(int64_t user_id) { c_.exec(matching_sql::kInsertEmpty, {user_id}); }
  std::optional<MatchingProfileRow> profile(int64_t user_id) {
    return fetch_one(c_, matching_sql::kProfile, {user_id});
  }
  std::optional<MatchingProfileRow> listed_profile(int64_t user_id) {
    return fetch_one(c_, matching_sql::kListedProfile, {user_id});
  }
  void lock_profile(int64_t user_id) { c_.exec(matching_sql::kLockProfile, {user_id}); }
  void update_profile(int64_t user_id, const MatchingProfileColumns& p) {
    c_.exec(matching_sql::kUpdateProfile,
            {user_id, p.nickname, p.display_flag, p.prefecture, p.residence_detail, p.hometown,
             p.age_band, p.occupation, p.income_range, p.blood_type, p.zodiac, p.meet_pref,
             p.meeting_style, p.bio, p.identity, p.romance_targets});
  }
  void set_visibility(int64_t user_id, bool listed) {
    c_.exec(matching_sql::kSetVisibility, {user_id, listed});
  }

  std::vector<std::string> hobbies(int64_t user_id) {
    std::vector<std::string> out;
    for (auto& row : fetch_all(c_, matching_sql::kHobbies, {user_id})) {
      out.push_back(std::move(row.value));
    }
    return out;
  }
  // Replaces the member's hobbies with `names` (distinct), creating the names nobody used yet.
  void replace_hobbies(int64_t user_id, const std::vector<std::string>& names) {
    c_.exec(matching_sql::kClearHobbies, {user_id});
    if (names.empty()) return;
    const std::string array = json_array(names);
    c_.exec(matching_sql::kCreateHobbies, {array});
    c_.exec(matching_sql::kLinkHobbies, {user_id, array});
  }

  std::vector<ProfileImageRow> images(int64_t user_id) {
    return fetch_all(c_, matching_sql::kImages, {user_id});
  }
  // Removes every image row of the member, returning them (to be put back in a new order).
  std::vector<StoredProfileImageRow> take_images(int64_t user_id) {
    return fetch_all(c_, matching_sql::kTakeImages, {user_id});
  }
  ProfileImageRow insert_image(int64_t user_id, const std::string& url, int64_t order) {
    return *fetch_one(c_, matching_sql::kInsertImage, {user_id, url, order});
  }
  void restore_image(int64_t user_id, const StoredProfileImageRow& image, int64_t order) {
    c_.exec(matching_sql::kRestoreImage,
            {image.id, user_id, image.image_url, order, image.created_at});
  }
  bool owns_media(int64_t user_id, const std::string& url) {
    return exists(c_, matching_sql::kOwnsMedia, {url, user_id});
  }

  std::vector<SearchRow> search(const SearchFilter& f);

  // The like's id after making it active (created when absent).
  int64_t like(int64_t from, int64_t to) {
    if (auto found = fetch_one(c_, matching_sql::kFindLike, {from, to})) {
      c_.exec(matching_sql::kActivateLike, {found->value});
      return found->value;
    }
    return fetch_one(c_, matching_sql::kInsertLike, {from, to})->value;
  }
  std::vector<LikeRow> likes(int64_t user_id) {
    return fetch_all(c_, matching_sql::kLikes, {user_id});
  }
  std::vector<MatchRow> matches(int64_t user_id) {
    return fetch_all(c_, matching_sql::kMatches, {user_id});
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
