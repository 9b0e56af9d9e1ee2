// Starts the real `carat serve` binary for black-box tests, on PostgreSQL or SQLite according
// to CARAT_TEST_DB (sqlite by default), and talks HTTP to it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "pg_server.hpp"
#include "process.hpp"

namespace carat::testing {

using Json = nlohmann::json;

std::string carat_binary();
bool using_postgres();
// The shared PostgreSQL cluster of this test process (started on first use).
TempPostgres& postgres();
// A new, empty database on the selected backend.
std::string fresh_database_url();

struct Reply {
  int status = 0;  // 0: no response
  std::string body;
  httplib::Headers headers;

  Json json() const;
  std::string header(const std::string& name) const;
  bool has_header(const std::string& name) const;
};

using Headers = std::map<std::string, std::string>;
// Environment overrides for a server (spell it out: `CaratServer(Env{{"K", "V"}})`, because a
// single braced pair is ambiguous with the copy constructor).
using Env = std::map<std::string, std::string>;

class Client {
 public:
  explicit Client(int port);
  Reply get(const std::string& path, const Headers& h = {});
  Reply head(const std::string& path, const Headers& h = {});
  Reply del(const std::string& path, const Headers& h = {});
  Reply options(const std::string& path, const Headers& h = {});
  Reply post(const std::string& path, const std::string& body,
             const std::string& content_type = "application/json", const Headers& h = {});
  Reply put(const std::string& path, const std::string& body,
            const std::string& content_type = "application/json", const Headers& h = {});
  Reply post_json(const std::string& path, const Json& body, const Headers& h = {});
  Reply put_json(const std::string& path, const Json& body, const Headers& h = {});
  Reply post_form(const std::string& path, const std::string& urlencoded, const Headers& h = {});

 private:
  httplib::Client cli_;
};

// Opens a TCP connection to 127.0.0.1:`port`; returns the socket, or -1 on failure.
int connect_loopback(int port);
// The same from the loopback address `from` (any 127.x.y.z: another client as the server sees
// it), or from any address when `from` is null.
int connect_from(const char* from, int port);

// Resident memory of a process in KiB (VmRSS of /proc/PID/status), -1 when it is gone.
int64_t rss_kib(pid_t pid);

// Sends raw bytes on a fresh connection and returns everything read until close or timeout.
std::string raw_request(int port, const std::string& bytes, int timeout_ms = 5000);

// Splits a raw HTTP/1.1 response as read from a socket: the status (0 when `raw` does not start
// with a status line), the header fields exactly as sent (httplib 0.11 percent-decodes header
// values; this does not) and everything after the header as the body.
Reply parse_raw_reply(const std::string& raw);
// raw_request, parsed.
Reply raw_reply(int port, const std::string& bytes, int timeout_ms = 5000);

// One part of a multipart/form-data body. Without a filename it is a plain field; an empty
// content_type sends no Content-Type line.
struct FormPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string data;
};
inline const std::string kMultipartBoundary = "----caratTestBoundary7MA4YWxkTrZu0gW";
inline const std::string kMultipartType = "multipart/form-data; boundary=" + kMultipartBoundary;
std::string multipart_body(const std::vector<FormPart>& parts,
                           const std::string& boundary = kMultipartBoundary);

// The value of one sample on a Prometheus text page (/metrics): `series` is the name with its
// labels exactly as rendered, e.g. `carat_rate_limited_total{limit="comments"}`. nullopt when
// the page has no such sample; throws when its value is not an integer.
std::optional<int64_t> metric_value(const std::string& page, const std::string& series);

class CaratServer {
 public:
  // `env` overrides the test defaults (PORT=0, HOST=127.0.0.1, APP_ENV=test, a SECRET_KEY,
  // MEDIA_DIR in a temp dir, DATABASE_URL of a fresh database).
  explicit CaratServer(std::map<std::string, std::string> env = {});
  ~CaratServer();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& database_url() const { return database_url_; }
  const std::string& media_dir() const { return media_dir_; }
  const std::string& secret_key() const { return secret_; }
  Process& process() { return *process_; }
  Client client() const { return Client(port_); }
  int stop();
  std::string log() const { return process_->log(); }

 private:
  std::string dir_;
  std::string database_url_;
  std::string media_dir_;
  std::string secret_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
};

// Runs `carat <args>` to completion with the test defaults plus `env`.
RunResult run_carat(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env);

struct TestUser {
  int64_t id = 0;
  std::string email;
  std::string password;
  std::string display_name;
  std::string token;
  Headers auth() const { return {{"Authorization", "Bearer " + token}}; }
};

// Values that must never appear in a server log (passwords, tokens, secret keys). make_user and
// login record theirs; suites check the logs at the end of the run.
void remember_secret(const std::string& value);
std::vector<std::string> remembered_secrets();

// Registers a new user with a unique e-mail and logs in.
TestUser make_user(Client& c, const std::string& display_name = "Tester");
std::string login(Client& c, const std::string& email, const std::string& password);

}  // namespace carat::testing
