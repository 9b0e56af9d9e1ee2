#include "config/config.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "util/strings.hpp"

namespace carat::config {

namespace {

// Where App Runner's and the ALB's hops come from: private and loopback addresses.
constexpr const char* kPrivateRanges =
    "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8,::1/128,fc00::/7";

size_t distinct_bytes(const std::string& s) {
  bool seen[256] = {};
  size_t n = 0;
  for (unsigned char ch : s) {
    if (!seen[ch]) {
      seen[ch] = true;
      ++n;
    }
  }
  return n;
}

// The dev default is deliberately long enough to sign tokens but refused in production.
constexpr const char* kDevSecretKey = "carat-development-secret-key-not-for-production-use";

std::string join_lines(const std::vector<std::string>& v) {
  std::string out = "invalid configuration:";
  for (const auto& s : v) out += "\n  " + s;
  return out;
}

bool dir_exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

class Reader {
 public:
  explicit Reader(const EnvLookup& env) : env_(env) {}

  std::optional<std::string> raw(const std::string& name) const {
    auto v = env_(name);
    if (v && text::trim(*v).empty()) return std::nullopt;  // empty means unset
    return v;
  }

  std::string str(const std::string& name, const std::string& def) const {
    auto v = raw(name);
    return v ? std::string(text::trim(*v)) : def;
  }

  int integer(const std::string& name, int def, int min, int max) {
    auto v = raw(name);
    if (!v) return def;
    auto parsed = text::parse_int64(text::trim(*v));
    if (!parsed || *parsed < min || *parsed > max) {
      problems.push_back(name + ": expected an integer in " + std::to_string(min) + ".." +
                         std::to_string(max) + ", got '" + *v + "'");
      return def;
    }
    return static_cast<int>(*parsed);
  }

  bool boolean(const std::string& name, bool def) {
    auto v = raw(name);
    if (!v) return def;
    const std::string s = text::to_lower_ascii(text::trim(*v));
    if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
    if (s == "0" || s == "false" || s == "no" || s == "off") return false;
    problems.push_back(name + ": expected true or false, got '" + *v + "'");
    return def;
  }

  std::vector<std::string> problems;

 private:
  const EnvLookup& env_;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    auto item = text::trim(std::string_view(s).substr(start, end - start));
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Real billing (issue 13): all of it or none of it. Without STRIPE_SECRET_KEY billing keeps
// upstream's parity answer; with it, the rest is required, and production talks https only.
void read_stripe(Reader& r, Config& c) {
  auto& s = c.stripe;
  if (auto key = r.raw("STRIPE_SECRET_KEY")) s.secret_key = std::string(text::trim(*key));
  s.webhook_secrets = split_list(r.str("STRIPE_WEBHOOK_SECRET", ""));
  s.price_id = r.str("STRIPE_PRICE_ID", "");
  s.success_url = r.str("STRIPE_SUCCESS_URL", "");
  s.cancel_url = r.str("STRIPE_CANCEL_URL", "");
  s.portal_return_url = r.str("STRIPE_PORTAL_RETURN_URL", s.cancel_url);
  s.api_base = r.str("STRIPE_API_BASE", "https://api.stripe.com");
  while (!s.api_base.empty() && s.api_base.back() == '/') s.api_base.pop_back();
  s.webhook_tolerance_seconds = r.integer("STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300, 1, 86400);
  s.timeout = std::chrono::milliseconds(r.integer("STRIPE_TIMEOUT_MS", 10000, 100, 120000));
  s.max_concurrent_calls = r.integer("STRIPE_MAX_CONCURRENT_CALLS", 8, 1, 1000);
  s.grace = std::chrono::hours(r.integer("BILLING_GRACE_HOURS", 72, 0, 24 * 60));
  s.sweep_interval = std::chrono::seconds(r.integer("BILLING_SWEEP_SECONDS", 60, 1, 86400));
  if (!s.enabled()) {
    for (const char* name : {"STRIPE_WEBHOOK_SECRET", "STRIPE_PRICE_ID"}) {
      if (r.raw(name)) {
        r.problems.push_back(std::string(name) + ": set, but STRIPE_SECRET_KEY is not (billing "
                             "needs both; unset it to keep the test checkout URL)");
      }
    }
    return;
  }
  // Values are never echoed: they are secrets.
  if (!starts_with(s.secret_key, "sk_") && !starts_with(s.secret_key, "rk_")) {
    r.problems.push_back("STRIPE_SECRET_KEY: expected a Stripe secret (sk_...) or restricted "
                         "(rk_...) key");
  }
  if (s.webhook_secrets.empty()) {
    r.problems.push_back("STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set");
  }
  for (const auto& w : s.webhook_secrets) {
    if (!starts_with(w, "whsec_") || w.size() < 12) {
      r.problems.push_back("STRIPE_WEBHOOK_SECRET: expected comma-separated whsec_... secrets");
      break;
    }
  }
  if (!starts_with(s.price_id, "price_")) {
    r.problems.push_back("STRIPE_PRICE_ID: required when STRIPE_SECRET_KEY is set (price_...)");
  }
  const bool https_only = c.production;
  auto check_url = [&](const char* name, const std::string& url) {
    if (url.empty()) {
      r.problems.push_back(std::string(name) + ": required when STRIPE_SECRET_KEY is set");
    } else if (!starts_with(url, "https://") && (https_only || !starts_with(url, "http://"))) {
      r.problems.push_back(std::string(name) + (https_only ? ": expected an https:// URL in "
                                                             "production"
                                                           : ": expected an http(s):// URL"));
    }
  };
  check_url("STRIPE_SUCCESS_URL", s.success_url);
  check_url("STRIPE_CANCEL_URL", s.cancel_url);
  if (!s.portal_return_url.empty()) check_url("STRIPE_PORTAL_RETURN_URL", s.portal_return_url);
  check_url("STRIPE_API_BASE", s.api_base);
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

bool is_known_placeholder_secret(const std::string& value) {
  static const char* const kKnown[] = {
      "your-secret-key-here",
      "your-secret-key",
      "your_secret_key",
      "your-secret-key-change-in-production",
      "your-super-secret-key-change-this-in-production",
      "change-me",
      "changeme",
      "change-this",
      "secret",
      "secret-key",
      "secretkey",
      "supersecret",
      "supersecretkey",
      "dev-secret-key",
      "development-secret-key",
      "test-secret-key",
      "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",  // FastAPI tutorial
      kDevSecretKey,
  };
  const std::string lower = text::to_lower_ascii(value);
  return std::any_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return lower == k; });
}

std::optional<Cidr> parse_cidr(const std::string& text_in) {
  std::string addr = text_in;
  int prefix = -1;
  if (const size_t slash = text_in.find('/'); slash != std::string::npos) {
    addr = text_in.substr(0, slash);
    auto p = text::parse_int64(text_in.substr(slash + 1));
    if (!p || *p < 0 || *p > 128) return std::nullopt;  // never wrap into another prefix
    prefix = static_cast<int>(*p);
  }
  Cidr c;
  if (inet_pton(AF_INET, addr.c_str(), c.addr) == 1) {
    c.v6 = false;
    if (prefix < 0) prefix = 32;
    if (prefix > 32) return std::nullopt;
  } else if (inet_pton(AF_INET6, addr.c_str(), c.addr) == 1) {
    c.v6 = true;
    if (prefix < 0) prefix = 128;
    if (prefix > 128) return std::nullopt;
  } else {
    return std::nullopt;
  }
  c.prefix = prefix;
  return c;
}

bool cidr_contains(const Cidr& cidr, const std::string& address) {
  unsigned char a[16] = {};
  bool v6;
  if (inet_pton(AF_INET, address.c_str(), a) == 1) {
    v6 = false;
  } else if (inet_pton(AF_INET6, address.c_str(), a) == 1) {
    v6 = true;
    // An IPv4-mapped IPv6 peer (::ffff:a.b.c.d) matches IPv4 ranges.
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!cidr.v6 && std::equal(kMapped, kMapped + 12, a)) {
      std::copy(a + 12, a + 16, a);
      v6 = false;
    }
  } else {
    return false;
  }
  if (v6 != cidr.v6) return false;
  int bits = cidr.prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    const unsigned char mask = bits >= 8 ? 0xFF : static_cast<unsigned char>(0xFF << (8 - bits));
    if ((a[i] & mask) != (cidr.addr[i] & mask)) return false;
  }
  return true;
}

int Config::effective_pool_size() const {
  return db_pool_size > 0 ? db_pool_size : std::max(4, hardware_threads() * 4);
}
int Config::effective_worker_threads() const {
  // More handler threads than connections, so requests that need no connection (or wait for
  // bcrypt) never queue behind ones holding a connection.
  return worker_threads > 0 ? worker_threads : effective_pool_size() * 2 + 8;
}
int Config::effective_io_threads() const {
  return io_threads > 0 ? io_threads : hardware_threads();
}
int Config::effective_bcrypt_threads() const {
  return bcrypt_threads > 0 ? bcrypt_threads : hardware_threads();
}
int Config::effective_bcrypt_queue_limit() const {
  const int waiters = std::max(1, effective_worker_threads() / 4);
  return std::clamp(waiters - effective_bcrypt_threads(), 1, bcrypt_queue_limit);
}

Config load(const EnvLookup& env) {
  Reader r(env);
  Config c;

  c.app_env = r.str("APP_ENV", "development");
  if (c.app_env != "development" && c.app_env != "production" && c.app_env != "test" &&
      c.app_env != "staging") {
    r.problems.push_back("APP_ENV: expected development, test, staging or production, got '" +
                         c.app_env + "'");
  }
  c.production = c.app_env == "production";

  c.host = r.str("HOST", "0.0.0.0");
  c.port = r.integer("PORT", 8000, 0, 65535);
  c.io_threads = r.integer("IO_THREADS", 0, 0, 256);
  c.worker_threads = r.integer("WORKER_THREADS", 0, 0, 1024);
  c.bcrypt_threads = r.integer("BCRYPT_THREADS", 0, 0, 256);
  c.max_connections = r.integer("MAX_CONNECTIONS", 10000, 1, 1000000);
  c.max_connections_per_ip = r.integer("MAX_CONNECTIONS_PER_IP", 256, 0, 1000000);
  c.header_timeout = std::chrono::seconds(r.integer("HTTP_HEADER_TIMEOUT_SECONDS", 10, 1, 3600));
  c.body_timeout = std::chrono::seconds(r.integer("HTTP_BODY_TIMEOUT_SECONDS", 30, 1, 3600));
  c.idle_timeout = std::chrono::seconds(r.integer("HTTP_IDLE_TIMEOUT_SECONDS", 60, 1, 3600));
  c.shutdown_grace = std::chrono::seconds(r.integer("SHUTDOWN_GRACE_SECONDS", 20, 0, 3600));
  c.trust_forwarded_for = r.boolean("TRUST_FORWARDED_FOR", false);
  for (const auto& item : split_list(r.str("TRUSTED_PROXY_CIDRS", kPrivateRanges))) {
    if (auto cidr = parse_cidr(item)) {
      c.trusted_proxies.push_back(*cidr);
    } else {
      r.problems.push_back("TRUSTED_PROXY_CIDRS: '" + item + "' is not an address or CIDR");
    }
  }
  c.cors_credentials = r.boolean("CORS_ALLOW_CREDENTIALS", true);

  const std::string origins =
      r.str("ALLOW_ORIGINS", "http://localhost:5173,http://127.0.0.1:5173");
  for (auto& o : split_list(origins)) {
    if (o == "*") {
      c.allow_any_origin = true;
    } else {
      c.allow_origins.push_back(o);
    }
  }
  if (c.production && c.allow_any_origin && c.cors_credentials) {
    r.problems.push_back(
        "ALLOW_ORIGINS: '*' with credentials lets any site act with a member's session; list the "
        "web client's origins, or set CORS_ALLOW_CREDENTIALS=false to allow any origin without "
        "credentials");
  }

  // Database.
  std::string url;
  if (auto v = r.raw("DATABASE_URL")) {
    url = std::string(text::trim(*v));
  } else if (c.production) {
    r.problems.push_back("DATABASE_URL: required when APP_ENV=production");
  } else {
    url = dir_exists("/data") ? "sqlite:////data/lgbtq_community.db" : "sqlite:///lgbtq_community.db";
  }
  if (!url.empty()) {
    std::string err;
    if (auto parsed = parse_database_url(url, err)) {
      c.database = *parsed;
      if (c.production && c.database.kind == DatabaseUrl::Kind::kSqlite) {
        r.problems.push_back(
            "DATABASE_URL: SQLite is for development; APP_ENV=production needs PostgreSQL");
      }
    } else {
      r.problems.push_back("DATABASE_URL: " + err);
    }
  }
  if (auto v = r.raw("DB_MIGRATE_URL")) {
    std::string err;
    if (auto parsed = parse_database_url(std::string(text::trim(*v)), err)) {
      c.migrate_database = *parsed;
    } else {
      r.problems.push_back("DB_MIGRATE_URL: " + err);
    }
  }
  c.run_migrations = r.boolean("RUN_MIGRATIONS", true);
  c.db_pool_size = r.integer("DB_POOL_SIZE", 0, 0, 1000);
  // Admission control: a request that gets no connection within this wait answers 503 rather
  // than queueing without bound. Waiters are served in arrival order; 5 s leaves room for SQLite
  // writers queueing for their one lock and for a small machine under a burst.
  c.db_pool_timeout =
      std::chrono::milliseconds(r.integer("DB_POOL_TIMEOUT_MS", 5000, 1, 600000));
  c.db_statement_timeout =
      std::chrono::milliseconds(r.integer("DB_STATEMENT_TIMEOUT_MS", 5000, 0, 3600000));

  // Auth.
  if (auto v = env("SECRET_KEY"); v && !v->empty()) {
    c.secret_key = *v;  // used byte for byte: never trimmed, it must equal the legacy key
    c.secret_key_is_known_placeholder = is_known_placeholder_secret(c.secret_key);
    if (c.production) {
      if (c.secret_key.size() < 32) {
        r.problems.push_back("SECRET_KEY: must be at least 32 bytes in production (got " +
                             std::to_string(c.secret_key.size()) + ")");
      } else if (distinct_bytes(c.secret_key) < 8) {
        r.problems.push_back("SECRET_KEY: too few distinct characters to be random; generate "
                             "one with `openssl rand -hex 32`");
      } else if (c.secret_key_is_known_placeholder) {
        r.problems.push_back("SECRET_KEY: is a publicly known placeholder; generate one with "
                             "`openssl rand -hex 32`");
      }
    }
  } else if (c.production) {
    r.problems.push_back("SECRET_KEY: required when APP_ENV=production");
  } else {
    c.secret_key = kDevSecretKey;
    c.secret_key_is_dev_default = true;
  }
  if (auto alg = r.raw("ALGORITHM"); alg && text::trim(*alg) != "HS256") {
    r.problems.push_back("ALGORITHM: only HS256 is supported, got '" + *alg + "'");
  }
  c.access_token_expire_minutes = r.integer("ACCESS_TOKEN_EXPIRE_MINUTES", 10080, 1, 5256000);
  c.default_membership_type = r.str("DEFAULT_MEMBERSHIP_TYPE", "premium");
  if (c.default_membership_type != "free" && c.default_membership_type != "premium") {
    r.problems.push_back("DEFAULT_MEMBERSHIP_TYPE: expected free or premium, got '" +
                         c.default_membership_type + "'");
  }
  c.stripe_checkout_test_url =
      r.str("STRIPE_CHECKOUT_TEST_URL", "https://checkout.stripe.com/pay/cs_test_dummy");
  if (c.stripe_checkout_test_url.rfind("https://", 0) != 0) {
    r.problems.push_back("STRIPE_CHECKOUT_TEST_URL: expected an https:// URL");
  }
  read_stripe(r, c);
  c.login_max_failures_per_email = r.integer("LOGIN_MAX_FAILURES_PER_EMAIL", 10, 1, 1000000);
  c.login_max_failures_per_ip = r.integer("LOGIN_MAX_FAILURES_PER_IP", 100, 1, 1000000);
  c.bcrypt_queue_limit = r.integer("BCRYPT_QUEUE_LIMIT", 64, 1, 100000);
  c.bcrypt_cost = r.integer("BCRYPT_COST", 12, 4, 31);
  if (c.production && c.bcrypt_cost < 12) {
    r.problems.push_back("BCRYPT_COST: must be at least 12 in production");
  }

  // Media.
  const std::string storage = r.str("MEDIA_STORAGE", "local");
  if (storage == "local") {
    c.media_storage = MediaStorageKind::kLocal;
  } else if (storage == "s3") {
    c.media_storage = MediaStorageKind::kS3;
  } else {
    r.problems.push_back("MEDIA_STORAGE: expected local or s3, got '" + storage + "'");
  }
  c.media_dir = r.str("MEDIA_DIR", dir_exists("/data") ? "/data/media" : "./media");
  c.s3_bucket = r.str("AWS_S3_BUCKET", "");
  c.aws_region = r.str("AWS_REGION", r.str("AWS_DEFAULT_REGION", "ap-northeast-1"));
  c.s3_prefix = r.str("MEDIA_S3_PREFIX", "media/");
  c.s3_endpoint = r.str("AWS_ENDPOINT_URL_S3", "");
  if (!c.s3_endpoint.empty() && c.s3_endpoint.rfind("http://", 0) != 0 &&
      c.s3_endpoint.rfind("https://", 0) != 0) {
    r.problems.push_back("AWS_ENDPOINT_URL_S3: expected an http:// or https:// URL");
  }
  c.media_url_ttl_seconds = r.integer("MEDIA_URL_TTL_SECONDS", 300, 1, 604800);
  if (c.media_storage == MediaStorageKind::kS3 && c.s3_bucket.empty()) {
    r.problems.push_back("AWS_S3_BUCKET: required when MEDIA_STORAGE=s3");
  }

  // Observability.
  const std::string metrics = r.str("METRICS", "off");
  c.metrics_token = r.str("METRICS_TOKEN", "");
  for (const auto& item : split_list(r.str("METRICS_ALLOW_CIDRS", ""))) {
    if (auto cidr = parse_cidr(item)) {
      c.metrics_allow_cidrs.push_back(*cidr);
    } else {
      r.problems.push_back("METRICS_ALLOW_CIDRS: '" + item + "' is not an address or CIDR");
    }
  }
  if (metrics == "off") {
    c.metrics = MetricsAccess::kOff;
  } else if (metrics == "on") {
    // "on" without restrictions is open only outside production.
    c.metrics = (c.metrics_token.empty() && c.metrics_allow_cidrs.empty() && !c.production)
                    ? MetricsAccess::kOpen
                    : MetricsAccess::kRestricted;
    if (c.production && c.metrics_token.empty() && c.metrics_allow_cidrs.empty()) {
      r.problems.push_back(
          "METRICS: in production, set METRICS_TOKEN or METRICS_ALLOW_CIDRS to restrict /metrics");
    }
  } else {
    r.problems.push_back("METRICS: expected off or on, got '" + metrics + "'");
  }
  if (!c.metrics_token.empty() && c.metrics_token.size() < 16) {
    r.problems.push_back("METRICS_TOKEN: must be at least 16 characters");
  }
  c.log_level = r.str("LOG_LEVEL", "info");
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" &&
      c.log_level != "error") {
    r.problems.push_back("LOG_LEVEL: expected debug, info, warn or error");
  }

  if (!r.problems.empty()) throw ConfigError(std::move(r.problems));
  return c;
}

}  // namespace carat::config
