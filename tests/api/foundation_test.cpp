// Foundation endpoints (api.md §2–§4): service routes, auth, users, profiles, HTTP basics.
#include <chrono>
#include <fstream>
#include <regex>

#include "api_fixture.hpp"
#include "auth/jwt.hpp"

namespace carat::testing {
namespace {

const char* kOrigin = "http://localhost:5173";

TEST_F(Api, RootLivenessAndReadiness) {
  auto c = api();
  auto r = c.get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["message"], "Carat API");
  EXPECT_TRUE(r.json()["version"].is_string());
  r = c.get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok"})");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  r = c.head("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Length"), "15");
  EXPECT_TRUE(r.body.empty());
  r = c.get("/api/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok","db":"ok"})");
  r = c.get("/api/auth/health");
  EXPECT_EQ(r.body, R"({"status":"ok","service":"authentication"})");
}

TEST_F(Api, EveryResponseCarriesSecurityHeadersAndRequestId) {
  auto c = api();
  auto r = c.get("/api/health", {{"X-Request-ID", "abc-123"}});
  EXPECT_EQ(r.header("X-Request-ID"), "abc-123");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("Referrer-Policy"), "no-referrer");
  r = c.get("/api/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"Not Found"})");
  EXPECT_EQ(r.header("X-Request-ID").size(), 32u) << "generated when absent";
  r = c.get("/healthz", {{"X-Request-ID", "bad id with spaces"}});
  EXPECT_NE(r.header("X-Request-ID"), "bad id with spaces");
}

TEST_F(Api, RegisterLoginMe) {
  auto c = api();
  const std::string email = "Mixed." + random_suffix() + "@Example.COM";
  auto r = c.post_json("/api/auth/register",
                       {{"email", "  " + email + " "}, {"password", "s3cret-pass"},
                        {"display_name", "  Alice 東京 "}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto user = r.json();
  const std::string stored = email.substr(0, email.find('@')) + "@example.com";
  EXPECT_EQ(user["email"], stored);
  EXPECT_EQ(user["display_name"], "Alice 東京");
  EXPECT_EQ(user["membership_type"], "premium");
  EXPECT_EQ(user["is_active"], true);
  EXPECT_TRUE(user["id"].is_number_integer());
  const std::string created = user["created_at"];
  EXPECT_EQ(created.back(), 'Z');
  EXPECT_NE(r.body.find("東京"), std::string::npos) << "raw UTF-8, no \\u escapes";
  // Key order of UserOut.
  EXPECT_EQ(r.body.find("\"email\""), 1u);

  // Login with what the user typed (case differs from the stored form).
  const std::string token = login(c, "  " + email + "  ", "s3cret-pass");
  r = c.get("/api/auth/me", {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["id"], user["id"]);
  r = c.get("/api/auth/me", {{"Authorization", "bearer " + token}});
  EXPECT_EQ(r.status, 200) << "scheme is case-insensitive";
  r = c.post_form("/api/auth/login", "username=" + stored + "&password=s3cret-pass");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["token_type"], "bearer");

  // Duplicate, case-insensitively.
  std::string upper = email;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  r = c.post_json("/api/auth/register",
                  {{"email", upper}, {"password", "12345678"}, {"display_name", "x"}});
  EXPECT_EQ(r.status, 400);
  r = c.post_json("/api/auth/register",
                  {{"email", email}, {"password", "12345678"}, {"display_name", "x"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["detail"], "Email already registered");
}

TEST_F(Api, ProfileExistsRightAfterRegister) {
  auto c = api();
  auto u = make_user(c);
  auto r = c.get("/api/profiles/me", u.auth());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["handle"], "user_" + std::to_string(u.id));
  EXPECT_EQ(r.json()["orientation_id"], 1);
  EXPECT_EQ(r.json()["is_profile_public"], false);
  EXPECT_EQ(r.json()["birthday"], nullptr);
}

TEST_F(Api, RegisterValidation) {
  auto c = api();
  auto r = c.post_json("/api/auth/register", {{"email", "bad"}, {"password", "short"}});
  ASSERT_EQ(r.status, 422);
  auto d = r.json()["detail"];
  ASSERT_EQ(d.size(), 3u) << r.body;
  EXPECT_EQ(d[0]["type"], "value_error");
  EXPECT_EQ(d[0]["loc"], Json::parse(R"(["body","email"])"));
  EXPECT_EQ(d[0]["msg"].get<std::string>().rfind("value is not a valid email address: ", 0), 0u);
  EXPECT_TRUE(d[0]["ctx"].contains("reason"));
  EXPECT_EQ(d[1]["type"], "string_too_short");
  EXPECT_EQ(d[1]["ctx"]["min_length"], 8);
  EXPECT_EQ(d[2]["type"], "missing");
  EXPECT_EQ(d[2]["loc"], Json::parse(R"(["body","display_name"])"));
  EXPECT_EQ(d[2]["input"]["email"], "bad") << "missing echoes the enclosing object";
  EXPECT_FALSE(d[0].contains("url"));

  r = c.post_json("/api/auth/register",
                  {{"email", "a" + random_suffix() + "@example.com"},
                   {"password", std::string("abc\0defgh", 9)},
                   {"display_name", "   "}});
  ASSERT_EQ(r.status, 422);
  d = r.json()["detail"];
  EXPECT_EQ(d[0]["type"], "value_error");
  EXPECT_EQ(d[0]["msg"], "Value error, password must not contain NUL characters");
  EXPECT_EQ(d[1]["type"], "string_too_short");
  EXPECT_EQ(d[1]["loc"], Json::parse(R"(["body","display_name"])"));

  r = c.post("/api/auth/register", "{\"email\": ", "application/json");
  ASSERT_EQ(r.status, 422);
  d = r.json()["detail"];
  EXPECT_EQ(d[0]["type"], "json_invalid");
  EXPECT_TRUE(d[0]["loc"][1].is_number_integer());
  EXPECT_EQ(d[0]["input"], Json::object());
  r = c.post("/api/auth/register", "[]", "application/json");
  EXPECT_EQ(r.json()["detail"][0]["type"], "model_attributes_type");
  r = c.post("/api/auth/register", "email=x", "text/plain");
  EXPECT_EQ(r.json()["detail"][0]["type"], "model_attributes_type");
  r = c.post("/api/auth/register", "", "application/json");
  EXPECT_EQ(r.json()["detail"][0]["type"], "missing");
  EXPECT_EQ(r.json()["detail"][0]["loc"], Json::parse(R"(["body"])"));
}

TEST_F(Api, TokenEndpointErrors) {
  auto c = api();
  auto u = make_user(c);
  auto r = c.post_form("/api/auth/token", "username=" + u.email + "&password=wrong-pass");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json()["detail"], "Incorrect email or password");
  EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer");
  r = c.post_form("/api/auth/token", "username=nobody-" + random_suffix() + "@example.com&password=x");
  EXPECT_EQ(r.status, 401);
  r = c.post_json("/api/auth/token", {{"username", u.email}, {"password", u.password}});
  ASSERT_EQ(r.status, 422) << "a JSON body is an empty form";
  EXPECT_EQ(r.json()["detail"].size(), 2u);
  r = c.post_form("/api/auth/token", "username=&password=");
  EXPECT_EQ(r.json()["detail"][0]["type"], "missing");
  r = c.post_form("/api/auth/token", "username=a@b.c&password=x&grant_type=client_credentials");
  EXPECT_EQ(r.json()["detail"][0]["type"], "string_pattern_mismatch");
  // multipart form works too
  const std::string body = "--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n" +
                           u.email + "\r\n--b\r\nContent-Disposition: form-data; name=\"password\""
                           "\r\n\r\n" + u.password + "\r\n--b--\r\n";
  r = c.post("/api/auth/token", body, "multipart/form-data; boundary=b");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(Api, ProtectedEndpointAuthFailures) {
  auto c = api();
  auto r = c.get("/api/auth/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json()["detail"], "Not authenticated");
  EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer");
  r = c.get("/api/auth/me", {{"Authorization", "Basic abc"}});
  EXPECT_EQ(r.json()["detail"], "Not authenticated");
  r = c.get("/api/auth/me", {{"Authorization", "Bearer not.a.token"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json()["detail"], "Could not validate credentials");
  // A valid token of an existing user is accepted. (A valid token naming a user that does not
  // exist is refused: bad_input_test.cpp, "JWT of an unknown user".)
  auto u = make_user(c);
  r = c.get("/api/users/me", u.auth());
  EXPECT_EQ(r.status, 200);
  // Protected endpoint: no token and an invalid body gives 401; broken JSON gives 422.
  r = c.put_json("/api/users/me", {{"display_name", 5}});
  EXPECT_EQ(r.status, 401);
  r = c.put("/api/users/me", "{broken", "application/json");
  EXPECT_EQ(r.status, 422);
  // Shape errors are validation (after authentication); only syntax comes first.
  for (const char* path : {"/api/posts", "/api/reactions", "/api/follows/", "/api/comments/",
                           "/api/posts/1/comments"}) {
    EXPECT_EQ(c.post(path, "[]", "application/json").status, 401) << path;
    EXPECT_EQ(c.post(path, "", "application/json").status, 401) << path;
    EXPECT_EQ(c.post(path, "x=1", "text/plain").status, 401) << path;
    auto broken = c.post(path, "{\"a\":", "application/json");
    EXPECT_EQ(broken.status, 422) << path;
    EXPECT_EQ(broken.json()["detail"][0]["type"], "json_invalid") << path;
  }
}

TEST_F(Api, AdminEndpointsRefuseMembers) {
  auto c = api();
  auto u = make_user(c);
  for (const char* path : {"/api/auth/admin/users", "/api/auth/admin/posts"}) {
    auto r = c.get(path, u.auth());
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.json()["detail"], "Admin privileges required");
    EXPECT_EQ(c.get(path).status, 401);
  }
}

TEST_F(Api, UsersEndpoints) {
  auto c = api();
  auto a = make_user(c, "Alice");
  auto b = make_user(c, "Bob");
  auto r = c.get("/api/users/" + std::to_string(a.id));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("email"), std::string::npos) << "public view hides the e-mail";
  EXPECT_EQ(r.json()["display_name"], "Alice");
  EXPECT_EQ(r.body.find("\"display_name\""), 1u);
  r = c.get("/api/users/" + std::to_string(a.id), a.auth());
  EXPECT_EQ(r.json()["email"], a.email);
  r = c.get("/api/users/" + std::to_string(a.id), b.auth());
  EXPECT_FALSE(r.json().contains("email"));
  r = c.get("/api/users/" + std::to_string(a.id), {{"Authorization", "Bearer stale"}});
  EXPECT_EQ(r.status, 200) << "optional auth ignores bad tokens";
  EXPECT_EQ(c.get("/api/users/999999999").status, 404);
  EXPECT_EQ(c.get("/api/users/99999999999").json()["detail"], "User not found");
  EXPECT_EQ(c.get("/api/users/0").status, 404);
  EXPECT_EQ(c.get("/api/users/-3").status, 404);
  EXPECT_EQ(c.get("/api/users/abc").status, 422);

  r = c.put_json("/api/users/me/", {{"display_name", "  Alicia "}, {"email", "ignored@x.com"}},
                 a.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["display_name"], "Alicia");
  EXPECT_EQ(r.json()["email"], a.email);
  r = c.put_json("/api/users/me", {{"display_name", nullptr}}, a.auth());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["detail"][0]["type"], "string_type");
  r = c.put_json("/api/users/me", {{"display_name", std::string(101, 'x')}}, a.auth());
  EXPECT_EQ(r.json()["detail"][0]["type"], "string_too_long");
}

TEST_F(Api, ProfileUpdateRoundTripAndPrivacy) {
  auto c = api();
  auto a = make_user(c, "Alice");
  auto b = make_user(c, "Bob");
  auto profile = c.get("/api/profiles/me", a.auth()).json();
  // The web client sends the whole object back, read-only keys included.
  profile["bio"] = "こんにちは";
  profile["location"] = "Osaka";
  profile["birthday"] = "1990-04-05";
  profile["orientation_id"] = 3;
  profile["show_location"] = true;
  const std::string handle = "alice_" + random_suffix();
  profile["handle"] = handle;
  auto r = c.put_json("/api/profiles/me", profile, a.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["bio"], "こんにちは");
  EXPECT_EQ(r.json()["show_location"], true);
  EXPECT_EQ(r.json()["handle"], handle);

  // Not public yet: 404 for others, full view for the owner (case-insensitive lookup).
  std::string upper = handle;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(ch));
  EXPECT_EQ(c.get("/api/profiles/" + upper).status, 404);
  EXPECT_EQ(c.get("/api/profiles/" + handle, b.auth()).status, 404);
  EXPECT_EQ(c.get("/api/profiles/" + upper, a.auth()).json()["birthday"], "1990-04-05");

  r = c.put_json("/api/profiles/me", {{"is_profile_public", true}}, a.auth());
  ASSERT_EQ(r.status, 200);
  auto masked = c.get("/api/profiles/" + upper, b.auth()).json();
  EXPECT_EQ(masked["location"], "Osaka") << "show_location is on";
  EXPECT_EQ(masked["birthday"], nullptr);
  EXPECT_EQ(masked["orientation_id"], nullptr);
  EXPECT_EQ(masked["bio"], "こんにちは");

  // Taken handle (case-insensitive) -> 409; invalid handles -> 422.
  r = c.put_json("/api/profiles/me", {{"handle", upper}}, b.auth());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.json()["detail"], "Handle already taken");
  for (const char* bad : {"has space", "a/b", "me", "ME"}) {
    r = c.put_json("/api/profiles/me", {{"handle", bad}}, b.auth());
    EXPECT_EQ(r.status, 422) << bad;
    EXPECT_EQ(r.json()["detail"][0]["msg"], "Value error, invalid handle") << bad;
  }
  r = c.put_json("/api/profiles/me", {{"handle", ""}}, b.auth());
  EXPECT_EQ(r.json()["detail"][0]["type"], "string_too_short");
  r = c.put_json("/api/profiles/me", {{"handle", nullptr}}, b.auth());
  EXPECT_EQ(r.json()["detail"][0]["type"], "string_type");
  r = c.put_json("/api/profiles/me", {{"gender_id", 999}, {"birthday", "1990-02-31"},
                                      {"location", std::string(101, 'x')}},
                 b.auth());
  ASSERT_EQ(r.status, 422);
  auto d = r.json()["detail"];
  ASSERT_EQ(d.size(), 3u) << r.body;
  EXPECT_EQ(d[0]["msg"], "Value error, unknown gender_id");
  EXPECT_EQ(d[1]["type"], "date_parsing");
  EXPECT_EQ(d[2]["type"], "string_too_long");
  EXPECT_EQ(c.get("/api/profiles/me").status, 401);
  EXPECT_EQ(c.get("/api/profiles/no-such-handle-" + random_suffix()).status, 404);
}

TEST_F(Api, CorsPreflightAndSimpleRequests) {
  auto c = api();
  for (const char* path : {"/api/posts", "/api/reactions", "/api/anything/at/all", "/healthz"}) {
    auto r = c.options(path, {{"Origin", kOrigin},
                              {"Access-Control-Request-Method", "POST"},
                              {"Access-Control-Request-Headers", "authorization, content-type"}});
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "OK");
    EXPECT_EQ(r.header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(r.header("Access-Control-Allow-Origin"), kOrigin);
    EXPECT_EQ(r.header("Access-Control-Allow-Credentials"), "true");
    EXPECT_EQ(r.header("Access-Control-Allow-Methods"),
              "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
    EXPECT_EQ(r.header("Access-Control-Allow-Headers"), "authorization, content-type");
    EXPECT_EQ(r.header("Access-Control-Max-Age"), "600");
    EXPECT_EQ(r.header("Vary"), "Origin");
  }
  auto r = c.options("/api/posts", {{"Origin", "https://evil.example"},
                                    {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Disallowed CORS origin");
  EXPECT_FALSE(r.has_header("Access-Control-Allow-Origin"));

  // Simple requests: headers on success and on errors; none for other origins.
  r = c.get("/api/health", {{"Origin", kOrigin}});
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), kOrigin);
  EXPECT_EQ(r.header("Vary"), "Origin");
  r = c.get("/api/auth/me", {{"Origin", kOrigin}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), kOrigin);
  r = c.get("/api/nope", {{"Origin", kOrigin}});
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), kOrigin);
  r = c.get("/api/health", {{"Origin", "https://evil.example"}});
  EXPECT_FALSE(r.has_header("Access-Control-Allow-Origin"));
  // OPTIONS that is not a preflight.
  r = c.options("/api/health");
  EXPECT_EQ(r.status, 405);
}

TEST_F(Api, TrailingSlashesAndMethodErrors) {
  auto c = api();
  auto u = make_user(c);
  EXPECT_EQ(c.get("/api/auth/me/", u.auth()).status, 200);
  EXPECT_EQ(c.get("/api/users/me/", u.auth()).status, 200);
  EXPECT_EQ(c.get("/api/profiles/me/", u.auth()).status, 200);
  EXPECT_EQ(c.get("/healthz/").status, 200);
  auto r = c.del("/api/users/me", u.auth());
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.json()["detail"], "Method Not Allowed");
  EXPECT_EQ(r.header("Allow"), "GET, HEAD, PUT");
  const std::string raw = raw_request(server().port(), "FOO /api/health HTTP/1.1\r\nHost: x\r\n"
                                                       "Connection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 405", 0), 0u) << raw;
}

TEST_F(Api, BodyLimits) {
  auto c = api();
  auto r = c.post("/api/auth/register", std::string(1024 * 1024 + 1, ' '), "application/json");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json()["detail"], "Request body too large");
  // Chunked body over the limit is cut off while reading.
  std::string chunked = "POST /api/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        "application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
  chunked += "0\r\n\r\n";
  const std::string raw = raw_request(server().port(), chunked);
  EXPECT_EQ(raw.rfind("HTTP/1.1 413", 0), 0u) << raw.substr(0, 200);
  // A small chunked body is accepted.
  const std::string ok_chunked =
      "POST /api/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
  EXPECT_EQ(raw_request(server().port(), ok_chunked).rfind("HTTP/1.1 422", 0), 0u);
  const std::string huge_header = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                  std::string(64 * 1024, 'a') + "\r\n\r\n";
  EXPECT_EQ(raw_request(server().port(), huge_header).rfind("HTTP/1.1 431", 0), 0u);
}

TEST(LegacyTokens, TokenIssuedByTheLegacyServiceIsAcceptedAndOursHasItsShape) {
  std::ifstream in(std::string(CARAT_TEST_DATA_DIR) + "/legacy_credentials.json");
  const Json fixture = Json::parse(in);
  CaratServer srv({{"SECRET_KEY", fixture["secret_key"].get<std::string>()}, {"BCRYPT_COST", "4"}});
  auto c = srv.client();
  // The fixture token far in the future names this user.
  const Json& legacy = fixture["tokens"][1];
  ASSERT_EQ(legacy["sub"], "Foo.Bar+tag@example.jp");
  auto r = c.post_json("/api/auth/register", {{"email", "Foo.Bar+tag@example.jp"},
                                              {"password", "legacy-pass-1"},
                                              {"display_name", "Legacy"}});
  ASSERT_EQ(r.status, 200) << r.body;
  r = c.get("/api/auth/me", {{"Authorization", "Bearer " + legacy["token"].get<std::string>()}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["email"], "Foo.Bar+tag@example.jp");

  // The server sets exp from its clock during the login, in whole seconds (truncated).
  const auto unix_seconds = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const int64_t before = unix_seconds();
  const std::string token = login(c, "foo.bar+tag@example.jp", "legacy-pass-1");
  const int64_t after = unix_seconds();
  const std::string payload_b64 = token.substr(token.find('.') + 1,
                                               token.rfind('.') - token.find('.') - 1);
  EXPECT_EQ(token.substr(0, token.find('.')), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  // Decode the payload and compare its exact bytes.
  const std::string payload = auth::base64url_decode(payload_b64).value_or("");
  const std::regex shape(R"(^\{"sub":"Foo\.Bar\+tag@example\.jp","exp":(\d+)\}$)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(payload, m, shape)) << payload;
  const int64_t exp = std::stoll(m[1]);
  constexpr int64_t kSevenDays = 10080 * 60;  // the default lifetime
  EXPECT_GE(exp, before + kSevenDays) << "issued at or after " << before;
  EXPECT_LE(exp, after + kSevenDays) << "issued at or before " << after;
}

}  // namespace
}  // namespace carat::testing
