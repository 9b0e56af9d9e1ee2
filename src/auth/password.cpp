#include "auth/password.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <memory>
#include <stdexcept>

#include "util/strings.hpp"

namespace carat::auth {

namespace {

constexpr size_t kBcryptMaxBytes = 72;  // bcrypt ignores the rest; passlib truncates the same way

std::string truncated(std::string_view password) {
  return std::string(password.substr(0, kBcryptMaxBytes));
}

bool is_bcrypt_hash(std::string_view h) {
  if (h.size() != 60) return false;
  if (h.substr(0, 4) != "$2a$" && h.substr(0, 4) != "$2b$" && h.substr(0, 4) != "$2y$") {
    return false;
  }
  if (h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9' || h[6] != '$') return false;
  const int cost = (h[4] - '0') * 10 + (h[5] - '0');
  return cost >= 4 && cost <= 31;
}

}  // namespace

std::string hash_password(std::string_view password, int cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, setting,
                       sizeof setting) == nullptr) {
    throw std::runtime_error("crypt_gensalt_rn failed");
  }
  auto data = std::make_unique<crypt_data>();
  const std::string pw = truncated(password);
  const char* out = crypt_rn(pw.c_str(), setting, data.get(), sizeof(crypt_data));
  if (out == nullptr || out[0] == '*') throw std::runtime_error("bcrypt hashing failed");
  return out;
}

bool verify_password(std::string_view password, std::string_view stored_hash) {
  if (!is_bcrypt_hash(stored_hash) || text::contains_nul(password)) return false;
  auto data = std::make_unique<crypt_data>();
  const std::string pw = truncated(password);
  const std::string setting(stored_hash);
  const char* out = crypt_rn(pw.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  if (out == nullptr || out[0] == '*') return false;
  const std::string_view computed(out);
  // libxcrypt writes $2b$ for a $2y$ setting on some versions: compare the hash part only
  // when the prefixes are bcrypt variants of the same cost and salt.
  if (computed.size() != stored_hash.size()) return false;
  return CRYPTO_memcmp(computed.data() + 4, stored_hash.data() + 4, stored_hash.size() - 4) == 0;
}

const std::string& dummy_hash(int cost) {
  static const std::string h = hash_password(text::random_hex(16), cost);
  return h;
}

}  // namespace carat::auth
