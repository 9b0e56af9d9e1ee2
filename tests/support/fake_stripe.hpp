// A local fake of Stripe's API for black-box tests: tests/billing/fake_stripe.mjs (Node) on a
// free loopback port. It records the API calls the service makes, answers in Stripe's documented
// shapes, serves a hosted checkout page, and delivers webhook events signed by Stripe's official
// SDK (the `stripe` npm package, installed into the build tree by tests/billing/install-sdk.sh):
// the SDK, not our code, is the reference for the signature scheme.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace carat::testing {

class FakeStripe {
 public:
  static constexpr const char* kApiKey = "sk_test_carat0fake0stripe0key";
  static constexpr const char* kWebhookSecret = "whsec_carat0fake0webhook0secret0one";
  static constexpr const char* kPriceId = "price_carat0premium0monthly";

  FakeStripe();
  ~FakeStripe();
  FakeStripe(const FakeStripe&) = delete;
  FakeStripe& operator=(const FakeStripe&) = delete;

  // Empty when Node or the SDK is missing (the reason is in skip_reason()).
  static std::string skip_reason();

  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The environment of a `carat serve` that bills through this fake.
  std::map<std::string, std::string> carat_env() const;

  // Where the fake delivers webhooks (the service's /api/billing/webhook).
  void set_webhook_url(const std::string& url);
  void set_webhook_secret(const std::string& secret);

  // The control API (/_test/...): POSTs JSON, returns the JSON answer; throws on failure.
  nlohmann::json control(const std::string& path, const nlohmann::json& body);
  nlohmann::json get(const std::string& path);

  // The /v1 requests recorded since the last reset.
  nlohmann::json requests() { return get("/_test/requests"); }
  void reset() { control("/_test/reset", nlohmann::json::object()); }

  void stop();
  std::string log() const;

 private:
  void wait_until_ready();

  std::string dir_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
};

}  // namespace carat::testing
