#include "fake_stripe.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <httplib.h>

#include "pg_server.hpp"

namespace carat::testing {

namespace {

std::string find_node() {
  if (const char* n = std::getenv("CARAT_NODE"); n && *n) return n;
  return find_on_path("node");
}

std::string sdk_dir() {
  if (const char* d = std::getenv("CARAT_STRIPE_SDK"); d && *d) return d;
  return CARAT_STRIPE_SDK_DIR;
}

httplib::Client client(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(60, 0);
  return c;
}

}  // namespace

std::string FakeStripe::skip_reason() {
  if (find_node().empty()) return "node not found on PATH";
  if (::access((sdk_dir() + "/node_modules/stripe/package.json").c_str(), R_OK) != 0) {
    return "Stripe's SDK is not installed in " + sdk_dir() +
           " (tests/billing/install-sdk.sh; the build's stripe_sdk target)";
  }
  return {};
}

FakeStripe::FakeStripe() {
  if (auto why = skip_reason(); !why.empty()) throw std::runtime_error(why);
  dir_ = make_temp_dir("carat-fake-stripe");
  port_ = free_port();
  process_ = std::make_unique<Process>(
      std::vector<std::string>{find_node(), CARAT_FAKE_STRIPE_SCRIPT, "--port",
                               std::to_string(port_), "--api-key", kApiKey, "--webhook-secret",
                               kWebhookSecret, "--price", kPriceId, "--sdk", sdk_dir()},
      std::map<std::string, std::string>{}, dir_ + "/fake-stripe.log");
  wait_until_ready();
}

FakeStripe::~FakeStripe() {
  stop();
  remove_tree(dir_);
}

void FakeStripe::wait_until_ready() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) {
      throw std::runtime_error("fake Stripe exited during start-up:\n" + log());
    }
    auto c = client(port_);
    c.set_connection_timeout(0, 200000);
    if (auto r = c.Get("/_test/health"); r && r->status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("fake Stripe did not answer within 30 s:\n" + log());
}

std::map<std::string, std::string> FakeStripe::carat_env() const {
  return {
      {"STRIPE_SECRET_KEY", kApiKey},
      {"STRIPE_WEBHOOK_SECRET", kWebhookSecret},
      {"STRIPE_PRICE_ID", kPriceId},
      {"STRIPE_API_BASE", base()},
      {"STRIPE_SUCCESS_URL", "http://127.0.0.1:9/matching?from=checkout"},
      {"STRIPE_CANCEL_URL", "http://127.0.0.1:9/matching"},
      {"STRIPE_PORTAL_RETURN_URL", "http://127.0.0.1:9/account"},
      {"DEFAULT_MEMBERSHIP_TYPE", "free"},
  };
}

void FakeStripe::set_webhook_url(const std::string& url) {
  control("/_test/config", {{"webhook_url", url}});
}

void FakeStripe::set_webhook_secret(const std::string& secret) {
  control("/_test/config", {{"webhook_secret", secret}});
}

nlohmann::json FakeStripe::control(const std::string& path, const nlohmann::json& body) {
  auto c = client(port_);
  auto r = c.Post(path, body.dump(), "application/json");
  if (!r || r->status != 200) {
    throw std::runtime_error("fake Stripe " + path + " failed: " +
                             (r ? std::to_string(r->status) + " " + r->body : "no answer"));
  }
  return nlohmann::json::parse(r->body);
}

nlohmann::json FakeStripe::get(const std::string& path) {
  auto c = client(port_);
  // /v1 reads need the API key, as at Stripe.
  httplib::Headers headers;
  headers.emplace("Authorization", "Bearer " + std::string(kApiKey));
  auto r = c.Get(path, headers);
  if (!r || r->status != 200) {
    throw std::runtime_error("fake Stripe GET " + path + " failed: " +
                             (r ? std::to_string(r->status) + " " + r->body : "no answer"));
  }
  return nlohmann::json::parse(r->body);
}

void FakeStripe::stop() {
  if (process_) process_->stop(std::chrono::seconds(5));
}

std::string FakeStripe::log() const { return process_ ? process_->log() : std::string(); }

}  // namespace carat::testing
