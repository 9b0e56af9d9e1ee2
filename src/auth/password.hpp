// bcrypt password hashing through libxcrypt, compatible with passlib's $2b$ hashes.
#pragma once

#include <string>
#include <string_view>

namespace carat::auth {

inline constexpr int kBcryptCost = 12;

// A new "$2b$<cost>$..." hash of the first 72 bytes of `password`. CPU-heavy (~0.3 s at cost
// 12): call it on the hasher executor, never on an I/O thread.
std::string hash_password(std::string_view password, int cost = kBcryptCost);

// Constant-time check of `password` against a stored $2a$/$2b$/$2y$ hash of any cost. Anything
// that is not a well-formed bcrypt hash (NULL, empty, another scheme) never matches.
bool verify_password(std::string_view password, std::string_view stored_hash);

// A valid hash of a random password, verified against for unknown users so that the response
// time does not tell which e-mail addresses exist.
// `cost` is the configured cost (it is the same for the whole process).
const std::string& dummy_hash(int cost = kBcryptCost);

}  // namespace carat::auth
