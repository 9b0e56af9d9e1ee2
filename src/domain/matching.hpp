// Matching (upstream 7750a50's /api/matching): premium members' profiles with hobbies and up to
// five images, visibility, the search, and likes. Chats and chat requests are in chat.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"
#include "db/matching_repository.hpp"
#include "domain/account.hpp"
#include "domain/update.hpp"
#include "domain/users.hpp"

namespace carat::domain {

inline constexpr size_t kMaxProfileImages = 5;

// HEAD's whitelists (its labels in English and Japanese); "" and "非表示" (hidden) always pass.
extern const std::vector<std::string_view> kAgeBands;
extern const std::vector<std::string_view> kIdentities;
extern const std::vector<std::string_view> kMeetingStyles;

// A bio that carries contact details (an address, a LINE id, a phone number) is refused:
// HEAD's patterns "@", "line:", "LINE:", "+81", "tel:", "電話", "gmail.com", "icloud.com".
bool bio_has_contact_info(std::string_view bio);

struct MatchingProfile {
  std::string display_name;  // the member's
  db::MatchingProfileRow profile;
  std::vector<std::string> hobbies;
  std::vector<db::ProfileImageRow> images;
};

// The member's own profile, created (listed, no prefecture) when they have none yet.
MatchingProfile my_profile(db::Connection& c, const User& user);

// Another member's profile: 404 "Profile not found" unless it is listed and its owner active.
MatchingProfile listed_profile(db::Connection& c, int64_t user_id);

// PUT /api/matching/profiles/me: the form changes the account (e-mail, name, real name,
// password) and the profile at once. Absent fields keep their value. Whitelists and the bio
// rule are checked by the caller before (they answer 422/400 without touching anything).
struct ProfileUpdate {
  AccountUpdate account;
  std::optional<std::string> password_hash;
  Update<std::string> residence_detail, hometown, age_band, occupation, income_range, blood_type,
      zodiac, meet_pref, meeting_style, bio, identity;
  std::optional<std::string> prefecture;       // null is stored as "" (the column is NOT NULL)
  Update<std::vector<std::string>> romance_targets;
  std::optional<std::vector<std::string>> hobbies;  // distinct, trimmed, non-empty
};
void update_my_profile(db::Connection& c, const User& user, const ProfileUpdate& update);

// Listed or hidden from the search; returns the new flag.
bool set_profile_listed(db::Connection& c, const User& user, bool listed);

struct SearchQuery {
  std::optional<std::string> prefecture, age_band, occupation, income_range, meet_pref, identity;
  std::vector<std::string> hobbies;  // any of them
  int64_t page = 1;
  int64_t size = 20;
};
struct SearchPage {
  std::vector<db::SearchRow> items;
  int64_t total = 0;
};
// Listed profiles of active members other than the caller, in member order.
SearchPage search_profiles(db::Connection& c, const User& user, const SearchQuery& q);

// POST /api/matching/likes/{id}: 400 "cannot like yourself", 404 "User not found"; liking again
// re-activates the like. Returns the like's id.
int64_t like_member(db::Connection& c, const User& user, int64_t to_user_id);
std::vector<db::LikeRow> my_likes(db::Connection& c, const User& user);
std::vector<db::MatchRow> my_matches(db::Connection& c, const User& user);

// Profile images: the URL must be one of the member's uploads (400 "image_url must be an image
// you uploaded"), at most five (400 "Maximum 5 images allowed"). Orders stay 0..n-1.
db::ProfileImageRow add_profile_image(db::Connection& c, const User& user, const std::string& url);
// 404 "Image not found" when it is not the member's.
void delete_profile_image(db::Connection& c, const User& user, int64_t image_id);
// The listed images first, in the given order (ids that are not the member's are ignored), then
// the others in their current order.
void reorder_profile_images(db::Connection& c, const User& user, const std::vector<int64_t>& ids);

}  // namespace carat::domain
