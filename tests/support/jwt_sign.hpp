// Hand-made JWTs for tests: any header and payload text, signed with HS256. Used to build tokens
// the service must refuse (another alg, no exp, a wrong key) as well as valid ones.
// Header-only: it needs the service's base64url (carat_core) and OpenSSL, which the suites that
// include it link anyway.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "auth/jwt.hpp"

namespace carat::testing {

// base64url(header) "." base64url(payload) "." base64url(HMAC-SHA256 over the first two, `key`).
inline std::string sign_jwt(const std::string& header, const std::string& payload,
                            const std::string& key) {
  const std::string si = auth::base64url_encode(header) + "." + auth::base64url_encode(payload);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(si.data()), si.size(), md, &len);
  return si + "." + auth::base64url_encode(std::string(reinterpret_cast<char*>(md), len));
}

}  // namespace carat::testing
