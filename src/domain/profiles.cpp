#include "domain/profiles.hpp"

#include "db/profiles_repository.hpp"
#include "domain/ids.hpp"
#include "errors/errors.hpp"

namespace carat::domain {

namespace {

Profile from_row(db::ProfileRow row) {
  Profile p;
  p.user_id = row.user_id;
  p.handle = std::move(row.handle);
  p.bio = std::move(row.bio);
  p.orientation_id = row.orientation_id;
  p.gender_id = row.gender_id;
  p.pronoun_id = row.pronoun_id;
  if (row.birthday) p.birthday = row.birthday->substr(0, 10);
  p.location = std::move(row.location);
  p.website = std::move(row.website);
  p.avatar_url = std::move(row.avatar_url);
  p.banner_url = std::move(row.banner_url);
  p.is_profile_public = row.is_profile_public;
  p.show_orientation = row.show_orientation;
  p.show_gender = row.show_gender;
  p.show_pronoun = row.show_pronoun;
  p.show_birthday = row.show_birthday;
  p.show_location = row.show_location;
  p.created_at = std::move(row.created_at);
  p.updated_at = std::move(row.updated_at);
  return p;
}

db::ProfileColumns columns_of(const Profile& p) {
  return {p.handle,      p.bio,          p.orientation_id,    p.gender_id,
          p.pronoun_id,  p.birthday,     p.location,          p.website,
          p.avatar_url,  p.banner_url,   p.is_profile_public, p.show_orientation,
          p.show_gender, p.show_pronoun, p.show_birthday,     p.show_location};
}

db::Lookup table_of(LookupTable t) {
  switch (t) {
    case LookupTable::kOrientation:
      return db::Lookup::kOrientation;
    case LookupTable::kGender:
      return db::Lookup::kGender;
    case LookupTable::kPronoun:
      break;
  }
  return db::Lookup::kPronoun;
}

}  // namespace

void create_default_profile(db::Connection& c, int64_t user_id) {
  db::ProfilesRepository profiles(c);
  const std::string base = "user_" + std::to_string(user_id);
  std::string handle = base;
  for (int n = 2; profiles.handle_taken_by_other(handle, user_id); ++n) {
    handle = base + "_" + std::to_string(n);
  }
  profiles.insert_default(user_id, handle, false);
}

Profile own_profile(db::Connection& c, int64_t user_id) {
  db::ProfilesRepository profiles(c);
  if (auto row = profiles.by_user(user_id)) return from_row(std::move(*row));
  // Legacy registration could leave a user without a profile; repair it on first access.
  db::Transaction tx(c, true);
  if (!profiles.by_user(user_id)) create_default_profile(c, user_id);
  tx.commit();
  return from_row(*profiles.by_user(user_id));
}

std::optional<VisibleProfile> profile_by_handle(db::Connection& c, int64_t caller,
                                                const std::string& handle) {
  auto row = db::ProfilesRepository(c).by_handle(handle);
  if (!row) return std::nullopt;
  const bool owner = caller != 0 && caller == row->user_id;
  if (!owner && !row->is_profile_public) return std::nullopt;
  return VisibleProfile{from_row(std::move(*row)), !owner};
}

Profile edit_own_profile(db::Connection& c, int64_t user_id, const ProfileEdit& edit) {
  db::ProfilesRepository profiles(c);
  db::Transaction tx(c, true);
  auto row = profiles.lock_by_user(user_id);
  if (!row) {
    // Legacy registration could leave a user without a profile; repair it first.
    create_default_profile(c, user_id);
    row = profiles.lock_by_user(user_id);
  }
  const Profile stored = from_row(std::move(*row));
  Profile next = stored;
  const LookupExists lookup_exists = [&](LookupTable t, int64_t id) {
    return valid_id(id) && profiles.lookup_exists(table_of(t), id);
  };
  edit(stored, next, lookup_exists);

  if (next.handle != stored.handle && profiles.handle_taken_by_other(next.handle, user_id)) {
    throw errors::conflict("Handle already taken");
  }
  try {
    auto updated = profiles.update(user_id, columns_of(next));
    tx.commit();
    return from_row(std::move(*updated));
  } catch (const db::DbError& e) {
    if (e.kind() == db::DbError::Kind::kUniqueViolation) {
      throw errors::conflict("Handle already taken");
    }
    throw;
  }
}

}  // namespace carat::domain
