#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "auth/jwt.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password.hpp"
#include "jwt_sign.hpp"

using namespace carat::auth;
using carat::testing::sign_jwt;

namespace {

nlohmann::json fixture() {
  std::ifstream in(std::string(CARAT_TEST_DATA_DIR) + "/legacy_credentials.json");
  return nlohmann::json::parse(in);
}

}  // namespace

TEST(Password, VerifiesPasslibHashGeneratedElsewhere) {
  const auto f = fixture();  // a temporary's subobject would not outlive the loop's range-init
  const auto& cases = f.at("passlib");
  ASSERT_EQ(cases.size(), 1u) << "the passlib hashes of the fixture";
  for (const auto& c : cases) {
    EXPECT_TRUE(
        verify_password(c.at("password").get<std::string>(), c.at("hash").get<std::string>()));
    EXPECT_FALSE(verify_password("wrong", c.at("hash").get<std::string>()));
  }
}

TEST(Password, CreatesCost12b2Hashes) {
  const std::string h = hash_password("correct horse");
  EXPECT_EQ(h.substr(0, 7), "$2b$12$");
  EXPECT_EQ(h.size(), 60u);
  EXPECT_TRUE(verify_password("correct horse", h));
  EXPECT_FALSE(verify_password("correct horsE", h));
  EXPECT_NE(h, hash_password("correct horse")) << "salt must be random";
}

TEST(Password, AcceptsAllBcryptPrefixesAtAnyCost) {
  const std::string b = hash_password("pw-12345", 4);
  for (const char* prefix : {"$2a$", "$2y$"}) {
    std::string variant = prefix + b.substr(4);
    EXPECT_TRUE(verify_password("pw-12345", variant)) << variant;
  }
}

TEST(Password, TruncatesAt72Bytes) {
  const std::string base(72, 'a');
  const std::string h = hash_password(base + "tail-one", 4);
  EXPECT_TRUE(verify_password(base + "another-tail", h));
  EXPECT_FALSE(verify_password(std::string(71, 'a'), h));
}

TEST(Password, NonBcryptStoredValuesNeverMatch) {
  EXPECT_FALSE(verify_password("x", ""));
  EXPECT_FALSE(verify_password("x", "plain-text-password"));
  EXPECT_FALSE(verify_password("password", "$6$saltsalt$abcdefghijklmnopqrstuvwxyz"));
  EXPECT_FALSE(verify_password("x", "$2b$99$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW"));
  EXPECT_FALSE(verify_password(std::string("sec\0ret", 7),
                               "$2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW"));
}

TEST(Jwt, ByteIdenticalToLegacyTokens) {
  const auto f = fixture();
  const std::string key = f.at("secret_key");
  const auto& tokens = f.at("tokens");
  ASSERT_EQ(tokens.size(), 4u) << "the legacy tokens of the fixture";
  for (const auto& t : tokens) {
    EXPECT_EQ(create_token(t.at("sub").get<std::string>(), t.at("exp").get<int64_t>(), key),
              t.at("token").get<std::string>())
        << t.at("sub");
  }
}

TEST(Jwt, AcceptsLegacyTokensAndReturnsSubject) {
  const auto f = fixture();
  const auto& tokens = f.at("tokens");
  ASSERT_EQ(tokens.size(), 4u) << "the legacy tokens of the fixture";
  for (const auto& t : tokens) {
    auto sub = verify_token(t.at("token").get<std::string>(), f.at("secret_key").get<std::string>(),
                            t.at("exp").get<int64_t>() - 10);
    ASSERT_TRUE(sub.has_value());
    EXPECT_EQ(*sub, t.at("sub").get<std::string>());
  }
}

TEST(Jwt, RejectsExpiredWrongKeyAndTampered) {
  const std::string key = "k-0123456789abcdef0123456789abcdef";
  const std::string tok = create_token("a@example.com", 1000, key);
  EXPECT_TRUE(verify_token(tok, key, 1000).has_value()) << "exp == now is still valid";
  EXPECT_FALSE(verify_token(tok, key, 1001).has_value());
  EXPECT_FALSE(verify_token(tok, key + "x", 10).has_value());
  std::string tampered = tok;
  tampered[tampered.find('.') + 3] ^= 1;
  EXPECT_FALSE(verify_token(tampered, key, 10).has_value());
  EXPECT_FALSE(verify_token(tok + ".x", key, 10).has_value());
  EXPECT_FALSE(verify_token("abc", key, 10).has_value());
}

TEST(Jwt, ClaimRules) {
  const std::string key = "k-0123456789abcdef0123456789abcdef";
  const std::string hs256 = R"({"alg":"HS256","typ":"JWT"})";
  EXPECT_TRUE(verify_token(sign_jwt(hs256, R"({"sub":"a@x.io","exp":100})", key), key, 50));
  EXPECT_TRUE(verify_token(sign_jwt(hs256, R"({"sub":"a@x.io","exp":100.5})", key), key, 100));
  EXPECT_FALSE(verify_token(sign_jwt(hs256, R"({"sub":"a@x.io"})", key), key, 50)) << "no exp";
  EXPECT_FALSE(verify_token(sign_jwt(hs256, R"({"sub":"a@x.io","exp":"100"})", key), key, 50));
  EXPECT_FALSE(verify_token(sign_jwt(hs256, R"({"exp":100})", key), key, 50)) << "no sub";
  EXPECT_FALSE(verify_token(sign_jwt(hs256, R"({"sub":"","exp":100})", key), key, 50));
  EXPECT_FALSE(verify_token(sign_jwt(hs256, R"({"sub":5,"exp":100})", key), key, 50));
  EXPECT_FALSE(verify_token(sign_jwt(hs256, R"({"sub":"a","exp":100,"nbf":60})", key), key, 50));
  EXPECT_TRUE(verify_token(sign_jwt(hs256, R"({"sub":"a","exp":100,"nbf":40})", key), key, 50));
  EXPECT_FALSE(verify_token(sign_jwt(hs256, R"(["sub"])", key), key, 50));
  EXPECT_FALSE(verify_token(
      sign_jwt(R"({"alg":"HS512","typ":"JWT"})", R"({"sub":"a","exp":100})", key), key, 50));
  EXPECT_FALSE(
      verify_token(sign_jwt(R"({"alg":"none"})", R"({"sub":"a","exp":100})", key), key, 50));
  // alg=none with an empty signature
  const std::string none = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                           base64url_encode(R"({"sub":"a","exp":100})") + ".";
  EXPECT_FALSE(verify_token(none, key, 50));
}

TEST(Base64Url, RoundTripAndRejectsGarbage) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\xfe\x00"}) {
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  }
  EXPECT_FALSE(base64url_decode("a").has_value());
  EXPECT_FALSE(base64url_decode("ab$d").has_value());
  EXPECT_EQ(base64url_decode("YQ=="), std::string("a"));
}

TEST(LoginThrottle, MemoryIsBoundedUnderAFloodOfDistinctKeys) {
  LoginThrottle t(3, 5, std::chrono::seconds(900), /*max_keys=*/1000);
  const auto now = LoginThrottle::Clock::now();
  for (int i = 0; i < 20000; ++i) {
    t.record_failure("user" + std::to_string(i) + "@x", "10.0." + std::to_string(i % 250) + "." +
                                                           std::to_string(i / 250), now);
  }
  EXPECT_LE(t.keys(), 2000u);
  // The key written last is kept, and still counts.
  for (int i = 0; i < 3; ++i) t.record_failure("target@x", "1.2.3.4", now);
  EXPECT_TRUE(t.retry_after("target@x", "5.6.7.8", now));
}

TEST(LoginThrottle, BlocksAfterLimitPerEmailAndPerIp) {
  LoginThrottle t(3, 5, std::chrono::seconds(900));
  const auto now = LoginThrottle::Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(t.retry_after("a@x", "1.1.1.1", now));
    t.record_failure("a@x", "1.1.1.1", now);
  }
  auto r = t.retry_after("a@x", "2.2.2.2", now);
  ASSERT_TRUE(r.has_value());
  EXPECT_GE(*r, 899);
  EXPECT_LE(*r, 901);
  EXPECT_FALSE(t.retry_after("b@x", "2.2.2.2", now)) << "other e-mail, other IP";
  t.record_failure("b@x", "1.1.1.1", now);
  t.record_failure("c@x", "1.1.1.1", now);
  EXPECT_TRUE(t.retry_after("d@x", "1.1.1.1", now)) << "IP limit 5 reached";
  EXPECT_FALSE(t.retry_after("a@x", "9.9.9.9", now + std::chrono::seconds(901)))
      << "window slid past the failures";
  t.clear_email("a@x");
  EXPECT_FALSE(t.retry_after("a@x", "9.9.9.9", now));
}
