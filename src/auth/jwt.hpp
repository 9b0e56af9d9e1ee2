// HS256 JSON Web Tokens, byte-compatible with the legacy service (python-jose).
//
// Hand-written on OpenSSL's HMAC rather than cpp-jwt: the contract requires tokens that are
// byte-identical to python-jose's ({"alg","typ"} header, {"sub","exp"} payload in that order,
// non-ASCII escaped as \uXXXX), and a validation rule set (api.md §1.6) that differs from the
// library's defaults (numeric exp of any JSON number, optional nbf, no other claims checked).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace carat::auth {

std::string create_token(std::string_view subject, int64_t expires_at, std::string_view key);

// The `sub` of a valid token, or nullopt (api.md §1.6: three segments, alg HS256, signature,
// object payload, numeric exp >= now, nbf <= now if present, non-empty string sub).
std::optional<std::string> verify_token(std::string_view token, std::string_view key,
                                        int64_t now);

std::string base64url_encode(std::string_view data);
std::optional<std::string> base64url_decode(std::string_view data);

// Python's json.dumps(ensure_ascii=True) string form, quotes included.
std::string python_json_string(std::string_view utf8);

}  // namespace carat::auth
