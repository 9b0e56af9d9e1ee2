// Media internals: SigV4 (first), image sniffing, the asset rules for posts, local storage.
//
// SigV4 on the requests of the S3 API reference's worked examples ("Signature Calculations for
// the Authorization Header" and "Authenticating Requests: Using Query Parameters"): date
// 2013-05-24, bucket `examplebucket`, but a made-up key pair instead of the documented one. The
// expected signatures come from botocore, an independent implementation, which reproduces the
// documented signatures byte for byte when given the documented keys
// (tests/unit/sigv4_reference.py recomputes them).
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <thread>
#include <tuple>
#include <vector>

#include <httplib.h>
#include <fstream>
#include <set>

#include "db/migrations.hpp"
#include "db/sqlite/sqlite_connection.hpp"
#include "domain/media.hpp"
#include "media/aws_sigv4.hpp"
#include "media/local_storage.hpp"
#include "process.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"

using namespace carat;

namespace {

media::AwsCredentials example_credentials() {
  media::AwsCredentials c;
  c.access_key_id = "CARATTESTACCESSKEY01";
  c.secret_access_key = "carat/test+secret/not-a-real-key+0000000";
  return c;
}

std::chrono::system_clock::time_point may_24_2013() {
  return std::chrono::system_clock::from_time_t(1369353600);  // 2013-05-24T00:00:00Z
}

constexpr const char* kHost = "examplebucket.s3.amazonaws.com";
constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace

TEST(SigV4, GetObjectExample) {
  const auto r = media::sign_request("GET", std::string("https://") + kHost, kHost, "/test.txt",
                                     {{"Range", "bytes=0-9"}}, "", "us-east-1",
                                     example_credentials(), may_24_2013());
  EXPECT_EQ(r.url, "https://examplebucket.s3.amazonaws.com/test.txt");
  EXPECT_EQ(r.headers.at("authorization"),
            "AWS4-HMAC-SHA256 Credential=CARATTESTACCESSKEY01/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=8b764e3ad8299274b3a151f48f04bd71e2170216f5ad3d770b8560cd84ae8576");
  EXPECT_EQ(r.headers.at("x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(r.headers.at("x-amz-content-sha256"), kEmptySha256);
  EXPECT_EQ(r.headers.at("range"), "bytes=0-9");
  EXPECT_EQ(r.headers.count("host"), 0u) << "Host is sent by the transport";
}

TEST(SigV4, PutObjectExampleWithPayloadAndEncodedKey) {
  const std::string path = "/" + text::percent_encode("test$file.text", true);
  ASSERT_EQ(path, "/test%24file.text");
  const auto r = media::sign_request(
      "PUT", std::string("https://") + kHost, kHost, path,
      {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
      "Welcome to Amazon S3.", "us-east-1", example_credentials(), may_24_2013());
  EXPECT_EQ(r.headers.at("x-amz-content-sha256"),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(r.headers.at("authorization"),
            "AWS4-HMAC-SHA256 Credential=CARATTESTACCESSKEY01/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            "Signature=577db48a92a982b411fb415c4f6d917a82bc92e588033b5b8c5171e2d03b932d");
}

TEST(SigV4, PresignedUrlExample) {
  const std::string url =
      media::presign_get(std::string("https://") + kHost, kHost, "/test.txt", "us-east-1",
                         example_credentials(), 86400, may_24_2013());
  EXPECT_EQ(url,
            "https://examplebucket.s3.amazonaws.com/test.txt"
            "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=CARATTESTACCESSKEY01%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z"
            "&X-Amz-Expires=86400"
            "&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=0b269aac2a6edde62b7d77d38753d551507694b6ae288b4194d8b2494cae99cf");
}

TEST(SigV4, SessionTokenIsSignedInHeaderAndQuery) {
  auto creds = example_credentials();
  creds.session_token = "token/with+chars=";
  const auto r = media::sign_request("GET", std::string("https://") + kHost, kHost, "/test.txt",
                                     {}, "", "us-east-1", creds, may_24_2013());
  EXPECT_EQ(r.headers.at("x-amz-security-token"), creds.session_token);
  EXPECT_NE(r.headers.at("authorization").find("x-amz-date;x-amz-security-token,"),
            std::string::npos);
  const std::string url = media::presign_get(std::string("https://") + kHost, kHost, "/test.txt",
                                             "us-east-1", creds, 300, may_24_2013());
  EXPECT_NE(url.find("&X-Amz-Security-Token=token%2Fwith%2Bchars%3D&"), std::string::npos) << url;
  EXPECT_NE(url.find("&X-Amz-Expires=300&"), std::string::npos);
}

TEST(SigV4, CanonicalHeaderValuesAreTrimmed) {
  // Same signature with and without the redundant whitespace (SigV4 canonical form).
  const auto a = media::sign_request("GET", "https://h", "h", "/k", {{"Range", "bytes=0-9"}}, "",
                                     "us-east-1", example_credentials(), may_24_2013());
  const auto b = media::sign_request("GET", "https://h", "h", "/k", {{"Range", "  bytes=0-9 "}},
                                     "", "us-east-1", example_credentials(), may_24_2013());
  EXPECT_EQ(a.headers.at("authorization"), b.headers.at("authorization"));
}

TEST(SigV4, UriEncodeFollowsRfc3986) {
  EXPECT_EQ(text::percent_encode("a b+c~_-.", false), "a%20b%2Bc~_-.");
  EXPECT_EQ(text::percent_encode("media/x y.png", true), "media/x%20y.png");
  EXPECT_EQ(text::percent_encode("media/x", false), "media%2Fx");
  EXPECT_EQ(text::percent_encode("東", false), "%E6%9D%B1");
  EXPECT_EQ(crypto::sha256_hex(""), kEmptySha256);
}

// ---- credential chain: environment, then the container endpoint (ECS / App Runner) ----

namespace {

// Sets (or, with nullptr, removes) environment variables for one test and restores them.
class ScopedEnv {
 public:
  void set(const char* name, const char* value) {
    if (!saved_.count(name)) {
      const char* old = std::getenv(name);
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value) ::setenv(name, value, 1); else ::unsetenv(name);
  }
  ~ScopedEnv() {
    for (const auto& [k, v] : saved_) {
      if (v) ::setenv(k.c_str(), v->c_str(), 1); else ::unsetenv(k.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

std::string iso_in(std::chrono::seconds from_now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

TEST(CredentialChain, EnvironmentThenContainerEndpointWithTokenFileAndRefresh) {
  ScopedEnv env;
  for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"}) {
    env.set(v, nullptr);
  }
  env.set("AWS_EC2_METADATA_DISABLED", "true");

  // A stand-in for the container credentials endpoint.
  httplib::Server endpoint;
  std::atomic<int> calls{0};
  std::atomic<int> ttl_seconds{3600};
  std::string seen_auth;
  endpoint.Get("/creds", [&](const httplib::Request& req, httplib::Response& res) {
    ++calls;
    seen_auth = req.get_header_value("Authorization");
    if (seen_auth != "container-token") {
      res.status = 401;
      return;
    }
    res.set_content(R"({"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"secret","Token":"session-)" +
                        std::to_string(calls.load()) + R"(","Expiration":")" +
                        iso_in(std::chrono::seconds(ttl_seconds.load())) + R"("})",
                    "application/json");
  });
  const int port = endpoint.bind_to_any_port("127.0.0.1");
  std::thread server([&] { endpoint.listen_after_bind(); });
  const std::string dir = carat::testing::make_temp_dir("carat-creds");
  std::ofstream(dir + "/token") << "container-token\n";  // files end with a newline
  const std::string uri = "http://127.0.0.1:" + std::to_string(port) + "/creds";
  env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.c_str());
  env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", (dir + "/token").c_str());

  media::CredentialChain chain;
  auto c = chain.get();
  EXPECT_EQ(c.access_key_id, "ASIACONTAINER");
  EXPECT_EQ(c.secret_access_key, "secret");
  EXPECT_EQ(c.session_token, "session-1");
  ASSERT_TRUE(c.expires);
  EXPECT_EQ(seen_auth, "container-token");
  chain.get();
  EXPECT_EQ(calls.load(), 1) << "cached while valid";

  // Credentials within five minutes of expiry are refreshed.
  ttl_seconds = 60;
  media::CredentialChain short_lived;
  EXPECT_EQ(short_lived.get().session_token, "session-2");
  EXPECT_EQ(short_lived.get().session_token, "session-3");

  // Static keys in the environment win over the endpoint.
  env.set("AWS_ACCESS_KEY_ID", "AKIAENV");
  env.set("AWS_SECRET_ACCESS_KEY", "envsecret");
  media::CredentialChain from_env;
  EXPECT_EQ(from_env.get().access_key_id, "AKIAENV");
  EXPECT_FALSE(from_env.get().expires);
  EXPECT_EQ(calls.load(), 3);

  // Nothing anywhere: a clear error (the S3 backend turns it into StorageError → 503).
  env.set("AWS_ACCESS_KEY_ID", nullptr);
  env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", nullptr);  // the endpoint now answers 401
  media::CredentialChain none;
  EXPECT_THROW(none.get(), std::runtime_error);

  endpoint.stop();
  server.join();
  carat::testing::remove_tree(dir);
}

// ---- image sniffing and names (domain/media.hpp) ----

TEST(MediaFormat, MagicBytesDecideTheFormat) {
  using domain::sniff_image;
  EXPECT_EQ(sniff_image(std::string("\xFF\xD8\xFF\xE0", 4))->extension, "jpg");
  EXPECT_EQ(sniff_image(std::string("\x89PNG\r\n\x1A\n", 8))->mime_type, "image/png");
  EXPECT_EQ(sniff_image("GIF87a...")->extension, "gif");
  EXPECT_EQ(sniff_image("GIF89a...")->extension, "gif");
  EXPECT_EQ(sniff_image(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16))->extension, "webp");
  EXPECT_FALSE(sniff_image(""));
  EXPECT_FALSE(sniff_image("\xFF\xD8"));
  EXPECT_FALSE(sniff_image("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
  EXPECT_FALSE(sniff_image("GIF88a"));
  EXPECT_FALSE(sniff_image(std::string("RIFF\x10\0\0\0WAVE", 12)));
  EXPECT_FALSE(sniff_image(std::string("\x89PNG\r\n\x1A", 7)));
}

TEST(MediaFormat, DimensionsFromHeaders) {
  using domain::image_dimensions;
  using domain::sniff_image;
  // PNG IHDR 3x2.
  std::string png("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR\0\0\0\x03\0\0\0\x02\x08\x02\0\0\0", 29);
  auto d = image_dimensions(png, *sniff_image(png));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->width, 3);
  EXPECT_EQ(d->height, 2);
  // GIF 5x7 (little endian).
  std::string gif("GIF89a\x05\0\x07\0\0\0\0", 13);
  d = image_dimensions(gif, *sniff_image(gif));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->width, 5);
  EXPECT_EQ(d->height, 7);
  // JPEG: APP0 segment, then SOF0 with height 4, width 6.
  std::string jpg("\xFF\xD8\xFF\xE0\0\x04\0\0\xFF\xC0\0\x0B\x08\0\x04\0\x06\x01\x01\x11\0", 21);
  d = image_dimensions(jpg, *sniff_image(jpg));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->width, 6);
  EXPECT_EQ(d->height, 4);
  // WebP VP8X canvas 640x480 (stored minus one, 24-bit little endian).
  std::string webp("RIFF\0\0\0\0WEBPVP8X\x0A\0\0\0\0\0\0\0\x7F\x02\0\xDF\x01\0", 30);
  d = image_dimensions(webp, *sniff_image(webp));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->width, 640);
  EXPECT_EQ(d->height, 480);
  // A truncated header gives no size or the right one: never a wrong size, never a crash.
  const std::vector<std::tuple<std::string, int, int>> images = {
      {png, 3, 2}, {gif, 5, 7}, {jpg, 6, 4}, {webp, 640, 480}};
  for (const auto& [s, width, height] : images) {
    for (size_t n = 0; n < s.size(); ++n) {
      const auto f = sniff_image(s.substr(0, n));
      if (!f) continue;
      if (const auto got = image_dimensions(s.substr(0, n), *f)) {
        EXPECT_EQ(got->width, width) << "prefix of " << n << " bytes";
        EXPECT_EQ(got->height, height) << "prefix of " << n << " bytes";
      }
    }
  }
}

TEST(MediaNames, OnlySafeSingleSegments) {
  using domain::is_valid_media_name;
  EXPECT_TRUE(is_valid_media_name("3f2b1c9e-0a1b-4c2d-8e3f-0123456789ab.png"));
  EXPECT_TRUE(is_valid_media_name("legacy_Name-1.JPG"));
  EXPECT_FALSE(is_valid_media_name(""));
  EXPECT_FALSE(is_valid_media_name(".hidden"));
  EXPECT_FALSE(is_valid_media_name(".."));
  EXPECT_FALSE(is_valid_media_name("../../etc/passwd"));
  EXPECT_FALSE(is_valid_media_name("a/b"));
  EXPECT_FALSE(is_valid_media_name(std::string("a\0b", 3)));
  EXPECT_FALSE(is_valid_media_name("a b.png"));
  EXPECT_FALSE(is_valid_media_name("東京.png"));
  EXPECT_TRUE(is_valid_media_name(std::string(255, 'a')));
  EXPECT_FALSE(is_valid_media_name(std::string(256, 'a')));

  EXPECT_EQ(domain::image_content_type_for("x.JPEG"), "image/jpeg");
  EXPECT_EQ(domain::image_content_type_for("x.jpg"), "image/jpeg");
  EXPECT_EQ(domain::image_content_type_for("x.WebP"), "image/webp");
  EXPECT_FALSE(domain::image_content_type_for("x.svg"));
  EXPECT_FALSE(domain::image_content_type_for("noext"));

  EXPECT_EQ(domain::media_name_from_url("/media/a.png"), "a.png");
  EXPECT_FALSE(domain::media_name_from_url("/media/../x"));
  EXPECT_FALSE(domain::media_name_from_url("https://cdn.example/a.png"));
}

// ---- asset rules used by the posts module (domain/media.hpp), on a migrated SQLite file ----

namespace {

// Records removals; optionally fails them.
class FakeStorage final : public media::Storage {
 public:
  void put(const std::string&, std::string_view, const std::string&) override {}
  void remove(const std::string& name) override {
    removed.push_back(name);
    if (fail) throw media::StorageError("disk on fire");
  }
  std::optional<media::StoredFile> read(const std::string&) override { return std::nullopt; }
  std::optional<media::StoredFile> stat(const std::string&) override { return std::nullopt; }
  std::optional<std::string> presigned_url(const std::string&) override { return std::nullopt; }
  bool is_remote() const override { return false; }
  std::vector<std::string> removed;
  bool fail = false;
};

class MediaAssets : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = carat::testing::make_temp_dir("carat-media-unit");
    connector_ = db::make_sqlite_connector(dir_ + "/t.db");
    conn_ = connector_->connect();
    db::migrate(*conn_, "test");
    conn_->exec_script(
        "INSERT INTO users (id, email, password_hash, display_name) VALUES "
        "(1, 'a@example.com', 'x', 'A'), (2, 'b@example.com', 'x', 'B');"
        "INSERT INTO media_assets (id, user_id, url, mime_type) VALUES "
        "(10, 1, '/media/post-image.png', 'image/png'),"
        "(11, 1, '/media/gallery-image.png', 'image/png'),"
        "(12, 1, '/media/orphan.png', 'image/png'),"
        "(13, 2, 'https://legacy.example/x.png', 'image/png'),"
        "(14, 2, '/media/../../etc/passwd', 'image/png');"
        "INSERT INTO posts (id, user_id, body, media_id) VALUES (100, 1, 'b', 10);"
        "INSERT INTO post_media (post_id, media_asset_id, order_index) VALUES (100, 11, 0);");
  }
  void TearDown() override {
    conn_.reset();
    connector_.reset();
    carat::testing::remove_tree(dir_);
  }
  // Any asset is usable by an admin exactly when it exists.
  bool exists(int64_t id) { return usable({id}, 0, true).count(id) == 1; }
  std::set<int64_t> usable(const std::vector<int64_t>& ids, int64_t user, bool admin) {
    return domain::usable_media_ids(*conn_, ids, user, admin);
  }

  std::string dir_;
  std::unique_ptr<db::Connector> connector_;
  std::unique_ptr<db::Connection> conn_;
};

}  // namespace

TEST_F(MediaAssets, UsableByOwnerOrAdminOnly) {
  // Assets 10..12 belong to user 1, 13 and 14 to user 2 (SetUp); 999 does not exist.
  EXPECT_EQ(usable({10}, 1, false), (std::set<int64_t>{10}));
  EXPECT_TRUE(usable({10}, 2, false).empty());
  EXPECT_EQ(usable({10}, 2, true), (std::set<int64_t>{10})) << "admins may use any asset";
  EXPECT_TRUE(usable({999}, 1, true).empty());
  for (int64_t bad : {int64_t{0}, int64_t{-1}, int64_t{2147483648}, INT64_MAX}) {
    EXPECT_TRUE(usable({bad}, 1, true).empty()) << bad;
  }
  // Many ids, repeats and unknown ones, in one call.
  EXPECT_EQ(usable({11, 999, 10, 11, -5, 12}, 1, false), (std::set<int64_t>{10, 11, 12}));
  EXPECT_EQ(usable({10, 13, 14}, 2, false), (std::set<int64_t>{13, 14}));
  EXPECT_TRUE(usable({}, 1, true).empty());
}

TEST_F(MediaAssets, OrphanDeleteKeepsReferencedAssets) {
  FakeStorage storage;
  domain::delete_media_asset_if_orphaned(*conn_, storage, 10);  // posts.media_id
  domain::delete_media_asset_if_orphaned(*conn_, storage, 11);  // post_media only
  EXPECT_TRUE(exists(10));
  EXPECT_TRUE(exists(11));
  EXPECT_TRUE(storage.removed.empty());

  domain::delete_media_asset_if_orphaned(*conn_, storage, 12);
  EXPECT_FALSE(exists(12));
  EXPECT_EQ(storage.removed, std::vector<std::string>{"orphan.png"});
  // Twice is harmless: nothing left to delete.
  domain::delete_media_asset_if_orphaned(*conn_, storage, 12);
  EXPECT_EQ(storage.removed.size(), 1u);
  EXPECT_FALSE(conn_->in_transaction());
}

TEST_F(MediaAssets, OrphanDeleteIsBestEffortAndNeverLeavesTheDirectory) {
  FakeStorage storage;
  storage.fail = true;
  EXPECT_NO_THROW(domain::delete_media_asset_if_orphaned(*conn_, storage, 12));
  EXPECT_FALSE(exists(12)) << "the row goes even when the file cannot be removed";
  // Legacy URL forms: the row goes, no file outside MEDIA_DIR/the prefix is touched.
  storage.removed.clear();
  domain::delete_media_asset_if_orphaned(*conn_, storage, 13);
  domain::delete_media_asset_if_orphaned(*conn_, storage, 14);
  EXPECT_FALSE(exists(13));
  EXPECT_FALSE(exists(14));
  EXPECT_TRUE(storage.removed.empty());
  // Out-of-range ids and a failing database never throw.
  EXPECT_NO_THROW(domain::delete_media_asset_if_orphaned(*conn_, storage, 0));
  EXPECT_NO_THROW(domain::delete_media_asset_if_orphaned(*conn_, storage, INT64_MAX));
  // Misuse inside the caller's transaction: refused (it would commit the caller's work).
  conn_->exec_script("DELETE FROM post_media; DELETE FROM posts;");
  conn_->begin(true);
  EXPECT_NO_THROW(domain::delete_media_asset_if_orphaned(*conn_, storage, 10));
  EXPECT_TRUE(conn_->in_transaction());
  conn_->rollback();
  EXPECT_TRUE(exists(10));
}

TEST_F(MediaAssets, OrphanDeleteAfterThePostIsGone) {
  FakeStorage storage;
  conn_->exec_script("DELETE FROM post_media WHERE post_id = 100; DELETE FROM posts WHERE id = 100;");
  domain::delete_media_asset_if_orphaned(*conn_, storage, 10);
  domain::delete_media_asset_if_orphaned(*conn_, storage, 11);
  EXPECT_FALSE(exists(10));
  EXPECT_FALSE(exists(11));
  EXPECT_EQ(std::set<std::string>(storage.removed.begin(), storage.removed.end()),
            (std::set<std::string>{"post-image.png", "gallery-image.png"}));
}

// ---- local storage ----

TEST(LocalStorage, PutReadStatRemoveAndRefusesUnsafeNames) {
  const std::string dir = carat::testing::make_temp_dir("carat-local-storage");
  auto storage = media::make_local_storage(dir + "/media");
  storage->put("a.png", "bytes", "image/png");
  auto f = storage->read("a.png");
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->file && f->file->valid());  // opened, for the server to stream
  char buf[16] = {};
  EXPECT_EQ(::read(f->file->get(), buf, sizeof buf), 5);
  EXPECT_EQ(std::string(buf, 5), "bytes");
  EXPECT_EQ(f->size, 5u);
  auto s = storage->stat("a.png");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->file);
  EXPECT_EQ(s->size, 5u);
  EXPECT_EQ(s->etag, f->etag);
  EXPECT_EQ(s->etag.front(), '"');
  // Only the final file remains (no temporary names).
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/media")) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "a.png");
  }
  EXPECT_EQ(entries, 1u);

  std::ofstream(dir + "/secret") << "x";
  EXPECT_FALSE(storage->read("../secret"));
  EXPECT_FALSE(storage->stat(".hidden"));
  EXPECT_THROW(storage->put("../escape.png", "x", "image/png"), media::StorageError);
  EXPECT_FALSE(std::filesystem::exists(dir + "/escape.png"));
  EXPECT_NO_THROW(storage->remove("../secret"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/secret"));

  storage->remove("a.png");
  EXPECT_FALSE(storage->read("a.png"));
  EXPECT_NO_THROW(storage->remove("a.png")) << "removing a missing file is fine";
  EXPECT_FALSE(storage->is_remote());
  EXPECT_FALSE(storage->presigned_url("a.png"));
  carat::testing::remove_tree(dir);
}

TEST(LocalStorage, WriteFailureIsAStorageError) {
  const std::string dir = carat::testing::make_temp_dir("carat-local-storage");
  auto storage = media::make_local_storage(dir + "/media");
  // The directory vanished (unmounted volume): works as root too, unlike permissions.
  carat::testing::remove_tree(dir + "/media");
  EXPECT_THROW(storage->put("a.png", "x", "image/png"), media::StorageError);
  EXPECT_FALSE(storage->read("a.png"));
  carat::testing::remove_tree(dir);
}
