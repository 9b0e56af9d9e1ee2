#include "domain/users.hpp"

#include "db/matching_repository.hpp"
#include "db/users_repository.hpp"
#include "domain/ids.hpp"
#include "domain/profiles.hpp"
#include "errors/errors.hpp"

namespace carat::domain {

namespace {

User from_row(db::UserRow row) {
  User u;
  u.id = row.id;
  u.email = std::move(row.email);
  u.display_name = std::move(row.display_name);
  u.membership_type = row.membership_type.value_or("premium");
  u.is_active = row.is_active.value_or(true);
  u.created_at = std::move(row.created_at);
  u.updated_at = std::move(row.updated_at);
  u.password_hash = std::move(row.password_hash);
  u.phone_number = std::move(row.phone_number);
  u.real_name = std::move(row.real_name);
  u.is_verified = row.is_verified.value_or(false);
  u.two_factor_enabled = row.two_factor_enabled.value_or(false);
  u.carats = row.carats;
  return u;
}

std::optional<User> from_row(std::optional<db::UserRow> row) {
  if (!row) return std::nullopt;
  return from_row(std::move(*row));
}

}  // namespace

std::optional<User> find_user_by_email(db::Connection& c, const std::string& email) {
  return from_row(db::UsersRepository(c).by_email(email));
}

std::optional<User> find_user_by_id(db::Connection& c, int64_t id) {
  if (!valid_id(id)) return std::nullopt;
  return from_row(db::UsersRepository(c).by_id(id));
}

std::optional<User> find_user_for_login(db::Connection& c, const std::string& email) {
  if (auto exact = find_user_by_email(c, email)) return exact;
  auto rows = db::UsersRepository(c).by_email_case_insensitive(email);
  if (rows.size() != 1) return std::nullopt;  // none, or ambiguous
  return from_row(std::move(rows.front()));
}

std::vector<User> all_users(db::Connection& c) {
  std::vector<User> users;
  for (auto& row : db::UsersRepository(c).all()) users.push_back(from_row(std::move(row)));
  return users;
}

void check_email_available(db::Connection& c, const std::string& email) {
  if (db::UsersRepository(c).email_taken(email)) {
    throw errors::bad_request("Email already registered");
  }
}

User register_user(db::Connection& c, const Registration& r) {
  db::UsersRepository users(c);
  db::Transaction tx(c, true);
  if (users.email_taken(r.email)) throw errors::bad_request("Email already registered");
  try {
    User user = from_row(users.insert(
        {r.email, r.password_hash, r.display_name, r.membership_type, true, r.phone_number}));
    create_default_profile(c, user.id);
    db::MatchingRepository(c).insert_default_profile(user.id);
    tx.commit();
    return user;
  } catch (const db::DbError& e) {
    if (e.kind() == db::DbError::Kind::kUniqueViolation) {
      throw errors::bad_request("Email already registered");
    }
    throw;
  }
}

User update_display_name(db::Connection& c, const User& user, const std::string& name) {
  auto row = db::UsersRepository(c).update_display_name(user.id, name);
  if (!row) throw errors::unauthorized("Could not validate credentials");
  return from_row(std::move(*row));
}

UserStats user_stats(db::Connection& c, const User& user) {
  const auto row = db::UsersRepository(c).stats(user.id);
  return {row.posts_count, row.likes_received, row.likes_received + row.posts_count * 5};
}

UserCounts user_counts(db::Connection& c) {
  const auto row = db::UsersRepository(c).counts();
  return {row.total_users, row.active_users};
}

}  // namespace carat::domain
