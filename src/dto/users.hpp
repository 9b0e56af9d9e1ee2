// JSON shapes of api.md §1.14 for users and profiles (keys in contract order).
#pragma once

#include "domain/users.hpp"
#include "util/json_writer.hpp"

namespace carat::dto {

void write_user_out(JsonWriter& w, const domain::User& u);
void write_public_user_out(JsonWriter& w, const domain::User& u);
// `masked`: another caller's view, with the show_* flags applied (api.md §4.3).
void write_profile_out(JsonWriter& w, const domain::Profile& p, bool masked);

}  // namespace carat::dto
