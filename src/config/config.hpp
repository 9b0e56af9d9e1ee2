// Service configuration: read from the environment once at start, validated as a whole.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/database_url.hpp"

namespace carat::config {

// Raised with every problem found, one per line ("NAME: what is wrong").
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

enum class MediaStorageKind { kLocal, kS3 };
enum class MetricsAccess { kOff, kOpen, kRestricted };

struct Cidr {
  bool v6 = false;
  unsigned char addr[16] = {};
  int prefix = 0;
};

struct Config {
  // Process and HTTP.
  std::string app_env = "development";
  bool production = false;
  std::string host = "0.0.0.0";
  int port = 8000;
  int io_threads = 0;       // 0: one per core
  int worker_threads = 0;   // request handlers (blocking DB work); 0: derived from the pool
  int bcrypt_threads = 0;   // password hashing; 0: one per core
  int max_connections = 10000;
  int max_connections_per_ip = 256;  // MAX_CONNECTIONS_PER_IP (0: no cap)
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds shutdown_grace{20};
  bool trust_forwarded_for = false;
  // Peers whose X-Forwarded-For is believed (TRUSTED_PROXY_CIDRS; default: private and loopback
  // ranges, where App Runner's and the ALB's hops come from).
  std::vector<Cidr> trusted_proxies;
  std::vector<std::string> allow_origins;
  bool allow_any_origin = false;
  // CORS_ALLOW_CREDENTIALS=false: with ALLOW_ORIGINS=*, answer `*` without credentials (the only
  // form of "any origin" production accepts).
  bool cors_credentials = true;

  // Database.
  DatabaseUrl database;
  std::optional<DatabaseUrl> migrate_database;  // DB_MIGRATE_URL
  bool run_migrations = true;
  int db_pool_size = 0;                        // 0: derived from the core count
  std::chrono::milliseconds db_pool_timeout{1000};
  std::chrono::milliseconds db_statement_timeout{5000};

  // Auth.
  std::string secret_key;
  bool secret_key_is_dev_default = false;
  bool secret_key_is_known_placeholder = false;
  int access_token_expire_minutes = 10080;
  std::string default_membership_type = "premium";
  // Billing parity with upstream 7750a50: without STRIPE_SECRET_KEY, POST /api/billing/checkout
  // answers this URL.
  std::string stripe_checkout_test_url = "https://checkout.stripe.com/pay/cs_test_dummy";
  // Real billing with Stripe (on when STRIPE_SECRET_KEY is set; docs/runbook.md "Billing").
  struct Stripe {
    std::string secret_key;                   // STRIPE_SECRET_KEY: never logged
    std::vector<std::string> webhook_secrets;  // STRIPE_WEBHOOK_SECRET, comma-separated (rotation)
    std::string price_id;                     // STRIPE_PRICE_ID
    std::string success_url;                  // STRIPE_SUCCESS_URL
    std::string cancel_url;                   // STRIPE_CANCEL_URL
    std::string portal_return_url;            // STRIPE_PORTAL_RETURN_URL (default: cancel URL)
    std::string api_base = "https://api.stripe.com";  // STRIPE_API_BASE (tests: the fake)
    int webhook_tolerance_seconds = 300;      // STRIPE_WEBHOOK_TOLERANCE_SECONDS
    std::chrono::milliseconds timeout{10000};  // STRIPE_TIMEOUT_MS, per attempt
    int max_concurrent_calls = 8;             // STRIPE_MAX_CONCURRENT_CALLS, then 503
    std::chrono::hours grace{72};             // BILLING_GRACE_HOURS after a failed payment
    std::chrono::seconds sweep_interval{60};  // BILLING_SWEEP_SECONDS: how often grace ends apply
    bool enabled() const { return !secret_key.empty(); }
  } stripe;
  int login_max_failures_per_email = 10;
  int login_max_failures_per_ip = 100;
  int bcrypt_queue_limit = 64;
  int bcrypt_cost = 12;  // BCRYPT_COST; below 12 only outside production (test speed)

  // Media.
  MediaStorageKind media_storage = MediaStorageKind::kLocal;
  std::string media_dir;
  std::string s3_bucket;
  std::string aws_region = "ap-northeast-1";
  std::string s3_prefix = "media/";
  std::string s3_endpoint;  // AWS_ENDPOINT_URL_S3
  int media_url_ttl_seconds = 300;

  // Observability.
  MetricsAccess metrics = MetricsAccess::kOff;
  std::vector<Cidr> metrics_allow_cidrs;
  std::string metrics_token;
  std::string log_level = "info";

  // Number of request-handler threads and DB connections actually used.
  int effective_pool_size() const;
  int effective_worker_threads() const;
  int effective_io_threads() const;
  int effective_bcrypt_threads() const;
  // bcrypt runs queued beyond the running ones: BCRYPT_QUEUE_LIMIT, but never so many that more
  // than a quarter of the handler threads wait for bcrypt (issue 14 item 2: 80 concurrent failed
  // logins held every handler thread and /api/posts took 13 s); the rest are answered 503 with
  // Retry-After at once.
  int effective_bcrypt_queue_limit() const;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Reads the process environment.
EnvLookup process_env();

// Builds and validates the configuration. Throws ConfigError listing every bad value.
Config load(const EnvLookup& env);

// Parses "10.0.0.0/8" or "::1/128" (a bare address means a single host).
std::optional<Cidr> parse_cidr(const std::string& text);
bool cidr_contains(const Cidr& cidr, const std::string& address);

// True for SECRET_KEY values published in tutorials, examples and the legacy repository.
bool is_known_placeholder_secret(const std::string& value);

}  // namespace carat::config
