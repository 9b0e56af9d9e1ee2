// Account management (upstream 7750a50's /api/account): the member's own e-mail, name, phone
// number and real name, password changes, and deactivation (a soft delete) and reactivation.
// Passwords are checked and hashed by the caller (bcrypt runs on its own pool, auth/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "db/database.hpp"
#include "domain/users.hpp"

namespace carat::domain {

// What PUT /api/account/me may change; an absent member leaves the column as it is.
struct AccountUpdate {
  std::optional<std::string> email;         // normalized
  std::optional<std::string> display_name;  // non-empty
  std::optional<std::string> phone_number;  // "" clears it
  std::optional<std::string> real_name;     // "" clears it
};

// One transaction: a new e-mail must be free (400 "このメールアドレスは既に使用されています"),
// a new phone number too (400 "この携帯番号は既に使用されています"), then the row is updated.
// Changing the e-mail ends the sessions of the old address (tokens name the e-mail, as
// upstream's do).
User update_account(db::Connection& c, const User& user, const AccountUpdate& update);
// The same inside the caller's transaction (the matching profile form changes the account and
// the profile at once).
User update_account_in_transaction(db::Connection& c, const User& user,
                                   const AccountUpdate& update);

void set_password_hash(db::Connection& c, const User& user, const std::string& hash);

// Soft delete (upstream's): the account stays, inactive; logins answer 400 "Inactive user".
void deactivate_account(db::Connection& c, const User& user);
void reactivate_account(db::Connection& c, const User& user);

}  // namespace carat::domain
