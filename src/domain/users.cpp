#include "domain/users.hpp"

#include "db/sql/users.hpp"
#include "util/time.hpp"

namespace carat::domain {

namespace sqlu = db::sql::users;
namespace sqlp = db::sql::profiles;

namespace {

std::optional<std::string> ts(const db::ResultSet& rs, size_t r, size_t c) {
  if (rs.is_null(r, c)) return std::nullopt;
  return timeutil::db_to_api(rs.text(r, c));
}

}  // namespace

User user_from_row(const db::ResultSet& rs, size_t r) {
  User u;
  u.id = rs.i64(r, 0);
  u.email = rs.str(r, 1);
  u.display_name = rs.str(r, 2);
  u.membership_type = rs.is_null(r, 3) ? "premium" : rs.str(r, 3);
  u.is_active = rs.boolean(r, 4, true);
  u.created_at = ts(rs, r, 5);
  u.updated_at = ts(rs, r, 6);
  u.password_hash = rs.opt_str(r, 7);
  return u;
}

Profile profile_from_row(const db::ResultSet& rs, size_t r) {
  Profile p;
  p.user_id = rs.i64(r, 0);
  p.handle = rs.str(r, 1);
  p.bio = rs.opt_str(r, 2);
  p.orientation_id = rs.opt_i64(r, 3);
  p.gender_id = rs.opt_i64(r, 4);
  p.pronoun_id = rs.opt_i64(r, 5);
  if (!rs.is_null(r, 6)) p.birthday = std::string(rs.text(r, 6).substr(0, 10));
  p.location = rs.opt_str(r, 7);
  p.website = rs.opt_str(r, 8);
  p.avatar_url = rs.opt_str(r, 9);
  p.banner_url = rs.opt_str(r, 10);
  p.is_profile_public = rs.boolean(r, 11);
  p.show_orientation = rs.boolean(r, 12);
  p.show_gender = rs.boolean(r, 13);
  p.show_pronoun = rs.boolean(r, 14);
  p.show_birthday = rs.boolean(r, 15);
  p.show_location = rs.boolean(r, 16);
  p.created_at = ts(rs, r, 17);
  p.updated_at = ts(rs, r, 18);
  return p;
}

std::optional<User> find_user_by_email(db::Connection& c, const std::string& email) {
  auto rs = c.exec(sqlu::kByEmail, {email});
  if (rs.empty()) return std::nullopt;
  return user_from_row(rs, 0);
}

std::optional<User> find_user_by_id(db::Connection& c, int64_t id) {
  if (!valid_id(id)) return std::nullopt;
  auto rs = c.exec(sqlu::kById, {id});
  if (rs.empty()) return std::nullopt;
  return user_from_row(rs, 0);
}

std::optional<User> find_user_for_login(db::Connection& c, const std::string& email) {
  if (auto exact = find_user_by_email(c, email)) return exact;
  auto rs = c.exec(sqlu::kByEmailCaseInsensitive, {email});
  if (rs.rows() != 1) return std::nullopt;  // none, or ambiguous
  return user_from_row(rs, 0);
}

std::optional<Profile> find_profile(db::Connection& c, int64_t user_id) {
  auto rs = c.exec(sqlp::kByUser, {user_id});
  if (rs.empty()) return std::nullopt;
  return profile_from_row(rs, 0);
}

void ensure_profile(db::Connection& c, int64_t user_id) {
  if (c.exec(sqlp::kByUser, {user_id}).empty()) create_default_profile(c, user_id);
}

void create_default_profile(db::Connection& c, int64_t user_id) {
  const std::string base = "user_" + std::to_string(user_id);
  std::string handle = base;
  for (int n = 2; !c.exec(sqlp::kHandleTakenByOther, {handle, user_id}).empty(); ++n) {
    handle = base + "_" + std::to_string(n);
  }
  c.exec(sqlp::kInsertDefault, {user_id, handle, false});
}

}  // namespace carat::domain
