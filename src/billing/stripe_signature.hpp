// Stripe webhook signatures (the `Stripe-Signature` header): HMAC-SHA256 under the endpoint's
// signing secret over "<t>.<payload>", hex in one or more `v1=` elements. Written here because no
// Debian-packaged library verifies Stripe's scheme; it is twenty lines over OpenSSL's HMAC, and
// the tests check it against signatures made by Stripe's official SDK (tests/billing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace carat::billing {

enum class SignatureCheck {
  kValid,
  kMissingHeader,     // no Stripe-Signature header
  kMalformed,         // no t= with a number, or no v1= element
  kNoMatch,           // no v1 signature matches any of the secrets
  kStaleTimestamp,    // matches, but t is older than the tolerance
};

// Checks `header` for `payload` (the raw request body, byte for byte) against every secret (two
// during a rotation); `now` and `tolerance_seconds` as Stripe's libraries use them: a signature
// older than the tolerance is refused, so a captured delivery cannot be replayed later.
SignatureCheck verify_signature(std::string_view header, std::string_view payload,
                                const std::vector<std::string>& secrets, int64_t now,
                                int64_t tolerance_seconds);

// A client-facing reason for each refusal (no secret material in it).
std::string_view describe(SignatureCheck c);

}  // namespace carat::billing
