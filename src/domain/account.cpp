#include "domain/account.hpp"

#include "db/users_repository.hpp"
#include "errors/errors.hpp"

namespace carat::domain {

User update_account(db::Connection& c, const User& user, const AccountUpdate& update) {
  db::Transaction tx(c, true);
  User updated = update_account_in_transaction(c, user, update);
  tx.commit();
  return updated;
}

User update_account_in_transaction(db::Connection& c, const User& user,
                                   const AccountUpdate& update) {
  db::UsersRepository users(c);
  auto current = users.by_id(user.id);
  if (!current) throw errors::unauthorized("Could not validate credentials");
  db::AccountColumns a{current->email, current->display_name, current->phone_number,
                       current->real_name};
  if (update.email && *update.email != a.email) {
    if (users.email_taken_by_other(*update.email, user.id)) {
      throw errors::bad_request("このメールアドレスは既に使用されています");
    }
    a.email = *update.email;
  }
  if (update.display_name) a.display_name = *update.display_name;
  if (update.phone_number) {
    if (update.phone_number->empty()) {
      a.phone_number.reset();
    } else {
      if (users.phone_taken_by_other(*update.phone_number, user.id)) {
        throw errors::bad_request("この携帯番号は既に使用されています");
      }
      a.phone_number = *update.phone_number;
    }
  }
  if (update.real_name) {
    a.real_name = update.real_name->empty() ? std::nullopt : update.real_name;
  }
  try {
    auto row = users.update_account(user.id, a);
    return *find_user_by_id(c, row->id);
  } catch (const db::DbError& e) {
    // A concurrent change took the address first (the e-mail index is unique).
    if (e.kind() == db::DbError::Kind::kUniqueViolation) {
      throw errors::bad_request("このメールアドレスは既に使用されています");
    }
    throw;
  }
}

void set_password_hash(db::Connection& c, const User& user, const std::string& hash) {
  db::UsersRepository(c).update_password_hash(user.id, hash);
}

void deactivate_account(db::Connection& c, const User& user) {
  db::UsersRepository(c).set_active(user.id, false);
}

void reactivate_account(db::Connection& c, const User& user) {
  db::UsersRepository(c).set_active(user.id, true);
}

}  // namespace carat::domain
