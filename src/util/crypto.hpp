#pragma once
// Digests on OpenSSL, in the forms the service needs (JWT, SigV4, migration checksums).
#include <string>
#include <string_view>

namespace carat::crypto {

// Lowercase hex of raw bytes.
std::string hex(std::string_view bytes);
// SHA-256 of `data`, lowercase hex.
std::string sha256_hex(std::string_view data);
// HMAC-SHA256 of `data` under `key`, raw 32 bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace carat::crypto
