// Stripe webhook signatures and form encoding (src/billing). The vectors below were made by
// Stripe's official Node SDK (npm `stripe` 23.2.0, `webhooks.generateTestHeaderString`) and
// recorded here; tests/api/billing_test.cpp checks fresh SDK signatures end to end.
#include <gtest/gtest.h>

#include "billing/stripe_client.hpp"
#include "billing/stripe_signature.hpp"

namespace carat::billing {
namespace {

const std::string kPayload =
    R"({"id":"evt_vector_1","object":"event","type":"customer.subscription.updated",)"
    R"("created":1764000000,"data":{"object":{"id":"sub_v","status":"active"}}})";
const std::string kSecretA = "whsec_unit0vector0secret0a";
const std::string kSecretB = "whsec_unit0vector0secret0b";
const std::string kSigA = "cbbfe1427b020837785566b1c1bdd690ef94f388ea529eb2082677fffd3e6a15";
const std::string kSigB = "b0a9a2eb00d65862ac129885d2dfe418453da3dee6af8b04d82c45457a95ff74";
constexpr int64_t kT = 1764000100;

SignatureCheck check(const std::string& header, const std::vector<std::string>& secrets,
                     int64_t now = kT, const std::string& payload = kPayload) {
  return verify_signature(header, payload, secrets, now, 300);
}

TEST(StripeSignature, AcceptsTheSdksSignatures) {
  EXPECT_EQ(check("t=1764000100,v1=" + kSigA, {kSecretA}), SignatureCheck::kValid);
  EXPECT_EQ(check("t=1764000100,v1=" + kSigB, {kSecretB}), SignatureCheck::kValid);
  // Spaces after commas, a v0 element and unknown elements are ignored, as Stripe's SDKs do.
  EXPECT_EQ(check("t=1764000100, v0=abc, v1=" + kSigA + ", x=1", {kSecretA}),
               SignatureCheck::kValid);
}

TEST(StripeSignature, AnyListedSecretAndAnyV1Element) {
  // Rotation: the new and the old secret are both configured.
  EXPECT_EQ(check("t=1764000100,v1=" + kSigA, {kSecretB, kSecretA}), SignatureCheck::kValid);
  // Stripe's own roll: several v1 elements, one of them valid for our secret.
  EXPECT_EQ(check("t=1764000100,v1=" + kSigB + ",v1=" + kSigA, {kSecretA}),
            SignatureCheck::kValid);
}

TEST(StripeSignature, RefusesWhatIsNotSignedByTheSecret) {
  EXPECT_EQ(check("t=1764000100,v1=" + kSigA, {kSecretB}), SignatureCheck::kNoMatch);
  EXPECT_EQ(check("t=1764000100,v1=" + kSigA, {}), SignatureCheck::kNoMatch);
  std::string tampered = kPayload;
  tampered[tampered.find("active")] = 'A';
  EXPECT_EQ(check("t=1764000100,v1=" + kSigA, {kSecretA}, kT, tampered),
            SignatureCheck::kNoMatch);
  // The timestamp is signed: moving it breaks the signature.
  EXPECT_EQ(check("t=1764000101,v1=" + kSigA, {kSecretA}), SignatureCheck::kNoMatch);
  // A prefix of the secret (without whsec_) is another key.
  EXPECT_EQ(check("t=1764000100,v1=" + kSigA, {"unit0vector0secret0a"}),
            SignatureCheck::kNoMatch);
}

TEST(StripeSignature, ToleranceWindow) {
  const std::string h = "t=1764000100,v1=" + kSigA;
  EXPECT_EQ(check(h, {kSecretA}, kT + 300), SignatureCheck::kValid);
  EXPECT_EQ(check(h, {kSecretA}, kT + 301), SignatureCheck::kStaleTimestamp);
  // A tolerance of 0 turns the check off (as in Stripe's SDKs).
  EXPECT_EQ(verify_signature(h, kPayload, {kSecretA}, kT + 100000, 0), SignatureCheck::kValid);
}

TEST(StripeSignature, MissingAndMalformedHeaders) {
  EXPECT_EQ(check("", {kSecretA}), SignatureCheck::kMissingHeader);
  EXPECT_EQ(check("   ", {kSecretA}), SignatureCheck::kMissingHeader);
  EXPECT_EQ(check("v1=" + kSigA, {kSecretA}), SignatureCheck::kMalformed);
  EXPECT_EQ(check("t=1764000100", {kSecretA}), SignatureCheck::kMalformed);
  EXPECT_EQ(check("t=1764000100,v0=" + kSigA, {kSecretA}), SignatureCheck::kMalformed);
  EXPECT_EQ(check("t=17640001x0,v1=" + kSigA, {kSecretA}), SignatureCheck::kMalformed);
  EXPECT_EQ(check("t=-1,v1=" + kSigA, {kSecretA}), SignatureCheck::kMalformed);
  EXPECT_EQ(check("t=1764000100,v1=" + kSigA.substr(1), {kSecretA}), SignatureCheck::kMalformed);
  EXPECT_EQ(check("t=99999999999999999999,v1=" + kSigA, {kSecretA}), SignatureCheck::kMalformed);
}

TEST(StripeForm, EncodesBracketsAndReservedCharacters) {
  EXPECT_EQ(form_encode({{"line_items[0][price]", "price_1"},
                         {"success_url", "https://x.example/m?from=checkout&a=b c"},
                         {"customer_email", "a+b@example.com"}}),
            "line_items%5B0%5D%5Bprice%5D=price_1&"
            "success_url=https%3A%2F%2Fx.example%2Fm%3Ffrom%3Dcheckout%26a%3Db%20c&"
            "customer_email=a%2Bb%40example.com");
  EXPECT_EQ(form_encode({}), "");
}

}  // namespace
}  // namespace carat::billing
