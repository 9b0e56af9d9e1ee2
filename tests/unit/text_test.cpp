#include <gtest/gtest.h>

#include "domain/email.hpp"
#include "http/form.hpp"
#include "http/router.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

using namespace carat;

TEST(JsonWriter, CompactRawUtf8AndContractEscapes) {
  JsonWriter w;
  w.begin_object()
      .field("a", "東京 \"q\" \\ / \n\t\x01\x1f")
      .field("n", int64_t{-5})
      .field("b", true)
      .field_null("z")
      .key("list")
      .begin_array()
      .value(1)
      .value("x")
      .begin_object()
      .end_object()
      .end_array()
      .end_object();
  EXPECT_EQ(w.str(),
            "{\"a\":\"東京 \\\"q\\\" \\\\ / \\n\\t\\u0001\\u001f\",\"n\":-5,\"b\":true,\"z\":null,"
            "\"list\":[1,\"x\",{}]}");
}

TEST(JsonWriter, RepairsInvalidUtf8) {
  JsonWriter w;
  w.value(std::string_view("a\xff" "b\xe3\x81", 5));
  EXPECT_EQ(w.str(), "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(Time, ApiFormatOmitsZeroFraction) {
  EXPECT_EQ(timeutil::db_to_api("2026-11-28 16:17:23.195919+00"), "2026-11-28T16:17:23.195919Z");
  EXPECT_EQ(timeutil::db_to_api("2026-11-28 16:17:23+00"), "2026-11-28T16:17:23Z");
  EXPECT_EQ(timeutil::db_to_api("2026-11-28 16:17:23.1959+00"), "2026-11-28T16:17:23.195900Z");
  EXPECT_EQ(timeutil::db_to_api("2026-11-29 01:17:23.5+09"), "2026-11-28T16:17:23.500000Z");
  EXPECT_EQ(timeutil::db_to_api("2026-11-28 16:17:23.000000"), "2026-11-28T16:17:23Z");
  EXPECT_EQ(timeutil::db_to_api("2026-11-28 10:47:23+05:30"), "2026-11-28T05:17:23Z");
  EXPECT_EQ(timeutil::db_to_api("2026-11-28 16:17:23", 9 * 3600), "2026-11-28T07:17:23Z")
      << "naive values are read in the database zone";
  EXPECT_EQ(timeutil::db_to_api("garbage"), "garbage");
}

TEST(Time, StorageFormats) {
  const auto t = *timeutil::parse_db("2026-01-02 03:04:05.000007");
  EXPECT_EQ(timeutil::format_sqlite(t), "2026-01-02 03:04:05.000007");
  EXPECT_EQ(timeutil::format_pg(t), "2026-01-02 03:04:05.000007+00");
}

TEST(Time, ApiDatetimeInput) {
  std::string err;
  EXPECT_EQ(timeutil::parse_api_datetime("2026-05-01T10:00:00+09:00", err),
            timeutil::parse_db("2026-05-01 01:00:00"));
  EXPECT_EQ(timeutil::parse_api_datetime("2026-05-01 10:00", err),
            timeutil::parse_db("2026-05-01 10:00:00"));
  EXPECT_EQ(timeutil::parse_api_datetime("2026-05-01", err), timeutil::parse_db("2026-05-01 00:00:00"));
  EXPECT_EQ(timeutil::parse_api_datetime("2026-05-01T10:00:00.5Z", err),
            timeutil::parse_db("2026-05-01 10:00:00.5"));
  for (const char* bad : {"tomorrow", "2026-13-01", "2026-02-30T00:00", "2026-05-01T25:00",
                          "2026-05-01T10:00:00.1234567", "2026-05-01X"}) {
    EXPECT_FALSE(timeutil::parse_api_datetime(bad, err)) << bad;
    EXPECT_FALSE(err.empty());
  }
  EXPECT_TRUE(timeutil::is_valid_date("2024-02-29"));
  EXPECT_FALSE(timeutil::is_valid_date("2023-02-29"));
  EXPECT_FALSE(timeutil::is_valid_date("2023-2-1"));
}

TEST(Text, TrimAndCodePoints) {
  EXPECT_EQ(text::trim("\u3000 東京\t\n"), "東京");
  EXPECT_EQ(text::trim("   "), "");
  EXPECT_EQ(text::code_points("東京abc"), 5u);
  EXPECT_EQ(text::parse_int64("-42"), -42);
  EXPECT_FALSE(text::parse_int64("+42"));
  EXPECT_FALSE(text::parse_int64("4 2"));
  EXPECT_FALSE(text::parse_int64("99999999999999999999"));
  EXPECT_EQ(text::percent_decode("a%20b+c", true), "a b c");
  EXPECT_FALSE(text::percent_decode("%zz", false));
  EXPECT_FALSE(text::percent_decode("%ff", false)) << "not UTF-8";
  const std::string u = text::random_uuid4();
  EXPECT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
}

TEST(Email, ContractRules) {
  std::string reason;
  EXPECT_EQ(domain::normalize_email("Alice.B+x@Example.COM", reason), "Alice.B+x@example.com");
  for (const char* bad : {"no-at", "a@@b.com", "@b.com", "a@", "a@localhost", "a@b.test",
                          "a@b.123", ".a@b.com", "a.@b.com", "a..b@b.com", "a@-b.com",
                          "a@b..com", "Name <a@b.com>", "\"q\"@b.com", "ä@b.com", "a@[1.2.3.4]",
                          "a b@c.com"}) {
    EXPECT_FALSE(domain::normalize_email(bad, reason)) << bad;
    EXPECT_FALSE(reason.empty());
  }
}

TEST(Form, UrlencodedLastWins) {
  auto f = http::parse_urlencoded("username=a%40b.com&password=p+w&username=c%40d.com&flag");
  ASSERT_NE(http::find_last(f, "username"), nullptr);
  EXPECT_EQ(http::find_last(f, "username")->value, "c@d.com");
  EXPECT_EQ(http::find_last(f, "password")->value, "p w");
  EXPECT_EQ(http::find_last(f, "flag")->value, "");
}

TEST(Form, Multipart) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b.png\"\r\n"
      "Content-Type: image/png\r\n\r\n\x89PNG\r\n--XyZ-\r\n\r\n--XyZ\r\n"
      "Content-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--XyZ--\r\n";
  auto boundary = http::multipart_boundary("multipart/form-data; boundary=\"XyZ\"");
  ASSERT_EQ(boundary, "XyZ");
  auto parts = http::parse_multipart(body, *boundary);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "file");
  EXPECT_EQ((*parts)[0].filename, "a;b.png");
  EXPECT_EQ((*parts)[0].value, "\x89PNG\r\n--XyZ-\r\n");
  EXPECT_EQ((*parts)[1].value, "hello");
  EXPECT_FALSE((*parts)[1].filename);
  EXPECT_FALSE(http::parse_multipart("--XyZ\r\nno headers end", "XyZ"));
  EXPECT_FALSE(http::multipart_boundary("application/json"));
}

TEST(Router, PrecedenceTrailingSlashHeadAnd405) {
  http::Router r;
  auto h = [](http::Request&) { return http::Response{}; };
  r.add({"/api/users/me", "GET", h});
  r.add({"/api/users/me", "PUT", h});
  r.add({"/api/users/{user_id}", "GET", h});
  r.add({"/api/follows/followers", "GET", h});
  r.add({"/api/follows/{id}", "DELETE", h});
  r.add({"/", "GET", h});

  auto m = r.match("GET", "/api/users/me/");
  ASSERT_EQ(m.kind, http::MatchResult::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/api/users/me");
  m = r.match("HEAD", "/api/users/5");
  ASSERT_EQ(m.kind, http::MatchResult::Kind::kFound);
  EXPECT_EQ(m.params, std::vector<std::string>{"5"});
  m = r.match("GET", "/api/users/%E6%9D%B1");
  EXPECT_EQ(m.params, std::vector<std::string>{"東"});
  m = r.match("DELETE", "/api/follows/followers");
  EXPECT_EQ(m.kind, http::MatchResult::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD");
  m = r.match("PUT", "/api/users/5");
  EXPECT_EQ(m.kind, http::MatchResult::Kind::kMethodNotAllowed);
  EXPECT_EQ(r.match("DELETE", "/api/follows/7").kind, http::MatchResult::Kind::kFound);
  EXPECT_EQ(r.match("GET", "/").kind, http::MatchResult::Kind::kFound);
  EXPECT_EQ(r.match("GET", "/api/nope").kind, http::MatchResult::Kind::kNotFound);
  EXPECT_EQ(r.match("GET", "/api//users/me").kind, http::MatchResult::Kind::kNotFound);
  EXPECT_EQ(r.match("GET", "/api/users/%zz").kind, http::MatchResult::Kind::kNotFound);
}
