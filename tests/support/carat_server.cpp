#include "carat_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <thread>

namespace carat::testing {

namespace {

// Servers close connections after refusing an oversized body; a client still writing must get
// EPIPE, not a process-killing SIGPIPE.
const bool kSigpipeIgnored = [] {
  signal(SIGPIPE, SIG_IGN);
  return true;
}();

constexpr const char* kTestSecret = "test-secret-key-0123456789abcdef0123456789abcdef";

Reply to_reply(const httplib::Result& r) {
  Reply out;
  if (!r) return out;
  out.status = r->status;
  out.body = r->body;
  out.headers = r->headers;
  return out;
}

httplib::Headers to_headers(const Headers& h) {
  httplib::Headers out;
  for (const auto& [k, v] : h) out.emplace(k, v);
  return out;
}

}  // namespace

std::string carat_binary() {
  if (const char* b = std::getenv("CARAT_BINARY")) return b;
  return CARAT_BINARY_PATH;
}

bool using_postgres() {
  const char* db = std::getenv("CARAT_TEST_DB");
  return db != nullptr && std::string(db) == "postgres";
}

TempPostgres& postgres() {
  static std::unique_ptr<TempPostgres> pg;
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (!pg) pg = std::make_unique<TempPostgres>();
  return *pg;
}

std::string fresh_database_url() {
  if (using_postgres()) return postgres().create_database("carat_" + random_suffix());
  static std::string dir = make_temp_dir("carat-sqlite");
  return "sqlite:///" + dir + "/" + random_suffix() + ".db";
}

Json Reply::json() const {
  auto j = Json::parse(body, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("response is not JSON: " + body.substr(0, 300));
  return j;
}

std::string Reply::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return {};
}

bool Reply::has_header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return true;
  }
  return false;
}

Client::Client(int port) : cli_("127.0.0.1", port) {
  cli_.set_tcp_nodelay(true);
  cli_.set_read_timeout(30, 0);
  cli_.set_write_timeout(30, 0);
  cli_.set_connection_timeout(5, 0);
  cli_.set_keep_alive(true);
}

Reply Client::get(const std::string& p, const Headers& h) { return to_reply(cli_.Get(p, to_headers(h))); }
Reply Client::head(const std::string& p, const Headers& h) { return to_reply(cli_.Head(p, to_headers(h))); }
Reply Client::del(const std::string& p, const Headers& h) { return to_reply(cli_.Delete(p, to_headers(h))); }
Reply Client::options(const std::string& p, const Headers& h) {
  return to_reply(cli_.Options(p, to_headers(h)));
}
Reply Client::post(const std::string& p, const std::string& body, const std::string& ct,
                   const Headers& h) {
  return to_reply(cli_.Post(p, to_headers(h), body, ct));
}
Reply Client::put(const std::string& p, const std::string& body, const std::string& ct,
                  const Headers& h) {
  return to_reply(cli_.Put(p, to_headers(h), body, ct));
}
Reply Client::post_json(const std::string& p, const Json& body, const Headers& h) {
  return post(p, body.dump(), "application/json", h);
}
Reply Client::put_json(const std::string& p, const Json& body, const Headers& h) {
  return put(p, body.dump(), "application/json", h);
}
Reply Client::post_form(const std::string& p, const std::string& body, const Headers& h) {
  return post(p, body, "application/x-www-form-urlencoded", h);
}

int connect_loopback(int port) { return connect_from(nullptr, port); }

int connect_from(const char* from, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (from != nullptr) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (inet_pton(AF_INET, from, &local.sin_addr) != 1 ||
        bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      close(fd);
      return -1;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int64_t rss_kib(pid_t pid) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  const size_t at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::stoll(status.substr(at + 6));
}

std::string raw_request(int port, const std::string& bytes, int timeout_ms) {
  const int fd = connect_loopback(port);
  if (fd < 0) return {};
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string out;
  char buf[8192];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          deadline - std::chrono::steady_clock::now())
                                          .count());
    if (poll(&pfd, 1, std::max(left, 1)) <= 0) break;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

Reply parse_raw_reply(const std::string& raw) {
  Reply r;
  // "HTTP/1.1 " then three digits, then a space or the end of the line.
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 13 || (raw[12] != ' ' && raw[12] != '\r')) {
    return r;
  }
  for (size_t i = 9; i < 12; ++i) {
    if (raw[i] < '0' || raw[i] > '9') return r;
  }
  r.status = std::stoi(raw.substr(9, 3));
  const size_t end = raw.find("\r\n\r\n");
  const std::string head = raw.substr(0, end);
  if (end != std::string::npos) r.body = raw.substr(end + 4);
  size_t at = head.find("\r\n");
  while (at != std::string::npos) {
    const size_t next = head.find("\r\n", at + 2);
    const std::string line = head.substr(at + 2, next == std::string::npos ? next : next - at - 2);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      const size_t value = line.find_first_not_of(" \t", colon + 1);
      r.headers.emplace(line.substr(0, colon),
                        value == std::string::npos ? std::string() : line.substr(value));
    }
    at = next;
  }
  return r;
}

Reply raw_reply(int port, const std::string& bytes, int timeout_ms) {
  return parse_raw_reply(raw_request(port, bytes, timeout_ms));
}

std::string multipart_body(const std::vector<FormPart>& parts, const std::string& boundary) {
  std::string out;
  for (const auto& p : parts) {
    out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (p.filename) out += "; filename=\"" + *p.filename + "\"";
    out += "\r\n";
    if (!p.content_type.empty()) out += "Content-Type: " + p.content_type + "\r\n";
    out += "\r\n" + p.data + "\r\n";
  }
  return out + "--" + boundary + "--\r\n";
}

std::optional<int64_t> metric_value(const std::string& page, const std::string& series) {
  const std::string line_start = series + " ";
  size_t at = page.rfind(line_start, 0) == 0 ? 0 : std::string::npos;
  if (at == std::string::npos) {
    at = page.find("\n" + line_start);
    if (at == std::string::npos) return std::nullopt;
    ++at;
  }
  const size_t value = at + line_start.size();
  const size_t end = std::min(page.find('\n', value), page.size());
  int64_t out = 0;
  const auto [ptr, ec] = std::from_chars(page.data() + value, page.data() + end, out);
  if (ec != std::errc() || ptr != page.data() + end) {
    throw std::runtime_error("metric " + series +
                             " is not an integer: " + page.substr(value, end - value));
  }
  return out;
}

CaratServer::CaratServer(std::map<std::string, std::string> env) {
  dir_ = make_temp_dir("carat-srv");
  media_dir_ = dir_ + "/media";
  database_url_ = env.count("DATABASE_URL") ? env["DATABASE_URL"] : fresh_database_url();
  secret_ = env.count("SECRET_KEY") ? env["SECRET_KEY"] : kTestSecret;
  remember_secret(secret_);
  std::map<std::string, std::string> full = {
      {"PORT", "0"},          {"HOST", "127.0.0.1"},       {"APP_ENV", "test"},
      {"SECRET_KEY", secret_}, {"MEDIA_DIR", media_dir_},  {"DATABASE_URL", database_url_},
      {"IO_THREADS", "2"},    {"DB_POOL_SIZE", "8"},       {"BCRYPT_THREADS", "2"},
  };
  for (const auto& [k, v] : env) full[k] = v;
  process_ = std::make_unique<Process>(std::vector<std::string>{carat_binary(), "serve"}, full,
                                       dir_ + "/server.log");
  const std::regex listening(R"("msg":"listening".*"port":(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string log = process_->log();
    if (std::regex_search(log, m, listening)) {
      port_ = std::stoi(m[1]);
      return;
    }
    if (!process_->running()) {
      throw std::runtime_error("carat serve exited during start-up:\n" + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("carat serve did not start within 60 s:\n" + process_->log());
}

CaratServer::~CaratServer() {
  if (process_) process_->stop();
  remove_tree(dir_);
}

int CaratServer::stop() { return process_->stop(); }

RunResult run_carat(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {carat_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> full = {{"APP_ENV", "test"}, {"SECRET_KEY", kTestSecret}};
  for (const auto& [k, v] : env) full[k] = v;
  return run_command(argv, full, std::chrono::seconds(120));
}

namespace {
std::mutex& secrets_mu() {
  static std::mutex mu;
  return mu;
}
std::vector<std::string>& secrets() {
  static std::vector<std::string> v;
  return v;
}
}  // namespace

void remember_secret(const std::string& value) {
  std::lock_guard lock(secrets_mu());
  secrets().push_back(value);
}

std::vector<std::string> remembered_secrets() {
  std::lock_guard lock(secrets_mu());
  return secrets();
}

std::string login(Client& c, const std::string& email, const std::string& password) {
  remember_secret(password);
  auto r = c.post_form("/api/auth/token", "username=" + httplib::detail::encode_query_param(email) +
                                              "&password=" +
                                              httplib::detail::encode_query_param(password));
  if (r.status != 200) throw std::runtime_error("login failed: " + std::to_string(r.status) + " " + r.body);
  std::string token = r.json()["access_token"].get<std::string>();
  remember_secret(token);
  return token;
}

TestUser make_user(Client& c, const std::string& display_name) {
  TestUser u;
  u.email = "user-" + random_suffix() + "@example.com";
  u.password = "password-" + random_suffix();
  u.display_name = display_name;
  auto r = c.post_json("/api/auth/register",
                       {{"email", u.email}, {"password", u.password}, {"display_name", display_name}});
  if (r.status != 200) throw std::runtime_error("register failed: " + std::to_string(r.status) + " " + r.body);
  u.id = r.json()["id"].get<int64_t>();
  u.token = login(c, u.email, u.password);
  return u;
}

}  // namespace carat::testing
