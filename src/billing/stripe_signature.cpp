#include "billing/stripe_signature.hpp"

#include <openssl/crypto.h>

#include <optional>

#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace carat::billing {

namespace {

std::optional<int64_t> parse_timestamp(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  return v;
}

bool same_bytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

SignatureCheck verify_signature(std::string_view header, std::string_view payload,
                                const std::vector<std::string>& secrets, int64_t now,
                                int64_t tolerance_seconds) {
  if (text::trim(header).empty()) return SignatureCheck::kMissingHeader;
  std::optional<int64_t> t;
  std::string_view t_text;
  std::vector<std::string_view> v1;
  size_t start = 0;
  while (start <= header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view item = text::trim(header.substr(start, end - start));
    if (const size_t eq = item.find('='); eq != std::string_view::npos) {
      const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
      if (key == "t") {
        t = parse_timestamp(value);
        t_text = value;
      } else if (key == "v1" && value.size() == 64) {
        v1.push_back(value);
      }
    }
    start = end + 1;
  }
  if (!t || v1.empty()) return SignatureCheck::kMalformed;
  std::string signed_payload;
  signed_payload.reserve(t_text.size() + 1 + payload.size());
  signed_payload.append(t_text).append(".").append(payload);
  bool matched = false;
  for (const auto& secret : secrets) {
    const std::string expected = crypto::hex(crypto::hmac_sha256(secret, signed_payload));
    for (auto candidate : v1) {
      // Hex digits as sent: Stripe writes lower case; compare without early exit.
      matched = same_bytes(expected, text::to_lower_ascii(candidate)) || matched;
    }
  }
  if (!matched) return SignatureCheck::kNoMatch;
  if (tolerance_seconds > 0 && now - *t > tolerance_seconds) return SignatureCheck::kStaleTimestamp;
  return SignatureCheck::kValid;
}

std::string_view describe(SignatureCheck c) {
  switch (c) {
    case SignatureCheck::kValid:
      return "valid";
    case SignatureCheck::kMissingHeader:
      return "Missing Stripe-Signature header";
    case SignatureCheck::kMalformed:
      return "Malformed Stripe-Signature header: expected t=<timestamp> and v1=<signature>";
    case SignatureCheck::kNoMatch:
      return "No signature matches the payload and the webhook signing secret";
    case SignatureCheck::kStaleTimestamp:
      return "The signature's timestamp is outside the tolerance window";
  }
  return "invalid signature";
}

}  // namespace carat::billing
