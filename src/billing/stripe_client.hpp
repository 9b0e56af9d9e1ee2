// Stripe's HTTPS API, as the service calls it: form-encoded POSTs with an idempotency key, JSON
// answers. Calls block the calling thread (a handler-pool thread, never an I/O thread) for at most
// the configured timeout, retries included; a Stripe outage becomes StripeUnavailable (503 with
// Retry-After) rather than a hang.
//
// On libcurl (Debian's libcurl4-openssl-dev, already used for S3): Stripe publishes no C or C++
// SDK, and what remains — the form encoding, the retry policy Stripe documents for idempotent
// requests, a concurrency cap and a circuit breaker — is small and is ours.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace carat::billing {

// The API version the service's parsing is written against (subscription.current_period_end
// lives on the subscription in it). Sent with every request, so the account's default version
// can move on without changing what the service reads.
inline constexpr std::string_view kStripeApiVersion = "2024-06-20";

struct StripeSettings {
  std::string api_base;    // https://api.stripe.com (tests: a local fake)
  std::string secret_key;  // never logged
  std::chrono::milliseconds timeout{10000};  // the whole call, retries included
  int max_concurrent_calls = 8;
  int max_attempts = 3;
  // Consecutive unavailable calls that open the breaker, and for how long it stays open.
  int breaker_threshold = 3;
  std::chrono::seconds breaker_open_for{30};
  std::string user_agent = "carat";
};

// Stripe could not be reached or answered 429/5xx (after the retries), the breaker is open, or
// too many calls are in flight: the caller answers 503 with Retry-After.
class StripeUnavailable : public std::runtime_error {
 public:
  StripeUnavailable(const std::string& what, int retry_after_seconds)
      : std::runtime_error(what), retry_after_(retry_after_seconds) {}
  int retry_after_seconds() const { return retry_after_; }

 private:
  int retry_after_;
};

// Stripe refused the request (4xx other than 409/429): a configuration or programming error on
// our side, never retried. `message`/`code`/`param` come from Stripe's error object.
class StripeRefused : public std::runtime_error {
 public:
  StripeRefused(int status, std::string code, std::string param, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)),
        param_(std::move(param)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& param() const { return param_; }

 private:
  int status_;
  std::string code_;
  std::string param_;
};

// Form parameters in Stripe's bracket notation, in order: {"line_items[0][price]", "price_..."}.
using FormParams = std::vector<std::pair<std::string, std::string>>;

std::string form_encode(const FormParams& params);

class StripeApi {
 public:
  virtual ~StripeApi() = default;
  // POST <api_base><path> with the parameters and the idempotency key (the same key on every
  // retry, so Stripe applies the call once). Returns the answered object.
  virtual nlohmann::json post(std::string_view path, const FormParams& params,
                              const std::string& idempotency_key) = 0;
  // GET <api_base><path> (retried as well), within `budget` or the configured timeout, whichever
  // is shorter.
  virtual nlohmann::json get(std::string_view path, std::chrono::milliseconds budget) = 0;
};

std::unique_ptr<StripeApi> make_stripe_client(StripeSettings settings);

}  // namespace carat::billing
