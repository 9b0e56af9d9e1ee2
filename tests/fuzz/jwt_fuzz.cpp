// HS256 tokens (auth/jwt.hpp): verification of arbitrary bearer tokens, the claim rules of
// api.md §1.6 on correctly signed tokens, and the create/verify and base64url round trips.
//
// Input: the first byte picks the mode, the rest is its data.
//   even: the rest is a bearer token, verified as the server does.
//   odd:  "<header JSON>\n<payload JSON>", signed with the test key, so the claim checks run
//         behind a valid signature.
// Every input is also used as a subject and as raw bytes for the round trips.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "auth/jwt.hpp"
#include "util/crypto.hpp"
#include "fuzz_common.hpp"

namespace {

namespace auth = carat::auth;
namespace fz = carat::fuzz;
using Json = nlohmann::json;

constexpr std::string_view kKey = "fuzz-secret-key-0123456789abcdef0123456789";
constexpr int64_t kNow = 1'700'000'000;

// The rules of api.md §1.6, restated, for tokens whose signature is right.
std::optional<std::string> expected_sub(std::string_view header, std::string_view payload) {
  const auto h = Json::parse(header, nullptr, false);
  if (!h.is_object() || !h.contains("alg") || h["alg"] != "HS256") return std::nullopt;
  const auto p = Json::parse(payload, nullptr, false);
  if (!p.is_object()) return std::nullopt;
  if (!p.contains("exp") || !p["exp"].is_number()) return std::nullopt;
  if (p["exp"].get<double>() < static_cast<double>(kNow)) return std::nullopt;
  if (p.contains("nbf") &&
      (!p["nbf"].is_number() || p["nbf"].get<double>() > static_cast<double>(kNow))) {
    return std::nullopt;
  }
  if (!p.contains("sub") || !p["sub"].is_string() || p["sub"].get<std::string>().empty()) {
    return std::nullopt;
  }
  return p["sub"].get<std::string>();
}

void check_round_trips(std::string_view bytes) {
  const std::string enc = auth::base64url_encode(bytes);
  for (char c : enc) {
    FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_');
  }
  FUZZ_CHECK(enc.size() == (bytes.size() * 4 + 2) / 3);
  const auto dec = auth::base64url_decode(enc);
  FUZZ_CHECK(dec && *dec == bytes);
  // python-jose accepts '=' padding too.
  const auto padded = auth::base64url_decode(enc + std::string((4 - enc.size() % 4) % 4, '='));
  FUZZ_CHECK(padded && *padded == bytes);

  if (const auto any = auth::base64url_decode(bytes)) {
    FUZZ_CHECK(any->size() <= bytes.size());
  }

  if (!fz::utf8_ok(bytes)) return;
  // python_json_string is a JSON string literal of the same text, ASCII only.
  const std::string lit = auth::python_json_string(bytes);
  for (char c : lit) FUZZ_CHECK(static_cast<unsigned char>(c) < 0x80);
  const auto parsed = Json::parse(lit, nullptr, false);
  FUZZ_CHECK(parsed.is_string() && parsed.get_ref<const std::string&>() == bytes);

  if (bytes.empty()) return;
  // A token the service issues verifies until its exp, to the same subject, with its key only.
  const int64_t exp = kNow + static_cast<int64_t>(bytes.size()) * 86'400;
  const std::string token = auth::create_token(bytes, exp, kKey);
  FUZZ_CHECK(std::count(token.begin(), token.end(), '.') == 2);
  const auto sub = auth::verify_token(token, kKey, exp - 1);
  FUZZ_CHECK(sub && *sub == bytes);
  FUZZ_CHECK(auth::verify_token(token, kKey, exp) == sub);
  FUZZ_CHECK(!auth::verify_token(token, kKey, exp + 1));
  FUZZ_CHECK(!auth::verify_token(token, "another-key", exp - 1));
  // Any change of the signing input breaks the signature.
  std::string tampered = token;
  const size_t dot = tampered.find('.');
  tampered[dot + 1] = tampered[dot + 1] == 'e' ? 'f' : 'e';
  FUZZ_CHECK(!auth::verify_token(tampered, kKey, exp - 1));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = fz::as_view(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    const auto sub = auth::verify_token(rest, kKey, kNow);
    if (sub) {
      // Only a correctly signed three-segment HS256 token with a subject gets through.
      FUZZ_CHECK(!sub->empty() && fz::utf8_ok(*sub));
      FUZZ_CHECK(std::count(rest.begin(), rest.end(), '.') == 2);
      const size_t d2 = rest.rfind('.');
      const auto sig = auth::base64url_decode(rest.substr(d2 + 1));
      FUZZ_CHECK(sig && *sig == carat::crypto::hmac_sha256(kKey, rest.substr(0, d2)));
    }
    // The same token under another key or far in the future never verifies.
    FUZZ_CHECK(!auth::verify_token(rest, "not-the-key", kNow));
  } else {
    std::string_view in = rest;
    const std::string_view header = fz::take_until(in, '\n');
    const std::string_view payload = in;
    const std::string signing_input =
        auth::base64url_encode(header) + "." + auth::base64url_encode(payload);
    const std::string token =
        signing_input + "." + auth::base64url_encode(carat::crypto::hmac_sha256(kKey, signing_input));
    const auto got = auth::verify_token(token, kKey, kNow);
    FUZZ_CHECK(got == expected_sub(header, payload));
  }
  check_round_trips(rest);
  return 0;
}
