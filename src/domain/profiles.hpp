// Profiles (api.md §4.3, §4.4): the model, the default profile, reads and the owner's edit.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "db/database.hpp"
#include "util/time.hpp"

namespace carat::domain {

struct Profile {
  int64_t user_id = 0;
  std::string handle;
  std::optional<std::string> bio;
  std::optional<int64_t> orientation_id, gender_id, pronoun_id;
  std::optional<std::string> birthday;  // "YYYY-MM-DD"
  std::optional<std::string> location, website, avatar_url, banner_url;
  bool is_profile_public = false;
  bool show_orientation = false, show_gender = false, show_pronoun = false, show_birthday = false,
       show_location = false;
  std::optional<timeutil::Timestamp> created_at, updated_at;
};

// The lookup tables a profile references.
enum class LookupTable { kOrientation, kGender, kPronoun };

// Creates the default profile (handle user_<id>, or user_<id>_2, …) for a user known to have
// none (just created). Runs inside the caller's write transaction.
void create_default_profile(db::Connection& c, int64_t user_id);

// The caller's own profile, created first when a legacy registration left none.
Profile own_profile(db::Connection& c, int64_t user_id);

// A profile by handle (case-insensitive) as `caller` may see it: nullopt when it does not exist
// or is private to someone else. `masked` is set when the show_* flags apply (not the owner).
struct VisibleProfile {
  Profile profile;
  bool masked = false;
};
std::optional<VisibleProfile> profile_by_handle(db::Connection& c, int64_t caller,
                                                const std::string& handle);

// The owner's edit (PUT /api/profiles/me). In one write transaction: the stored profile is
// locked (created first if missing), `edit` turns the request into the new values — it sees the
// stored profile, because a value sent unchanged is accepted as it is even where the rules would
// refuse it now, and it may ask whether a lookup id exists; it throws the 422 of the request —,
// then a changed handle must be free (409 "Handle already taken"), and the profile is stored.
using LookupExists = std::function<bool(LookupTable, int64_t)>;
using ProfileEdit = std::function<void(const Profile& stored, Profile& next, const LookupExists&)>;
Profile edit_own_profile(db::Connection& c, int64_t user_id, const ProfileEdit& edit);

}  // namespace carat::domain
