// The OAuth2 password form of POST /api/auth/token and /login (api.md §3.2).
#pragma once

#include <string>
#include <string_view>

namespace carat::dto {

struct TokenForm {
  std::string username;  // as sent (the caller trims it)
  std::string password;
};

// Reads the form from an urlencoded or multipart body. Anything else (JSON included) is an empty
// form. Throws errors::ValidationError: `missing` for an absent or empty username/password (both
// reported), `string_type` for text that is not UTF-8, `value_error` for a NUL, and
// `string_pattern_mismatch` for a grant_type other than "password".
TokenForm read_token_form(std::string_view content_type, std::string_view body);

}  // namespace carat::dto
