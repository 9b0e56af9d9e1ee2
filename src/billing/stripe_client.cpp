#include "billing/stripe_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "observability/log.hpp"
#include "util/strings.hpp"

namespace carat::billing {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxResponseBytes = 1 << 20;

size_t append_body(char* ptr, size_t size, size_t n, void* user) {
  auto* s = static_cast<std::string*>(user);
  const size_t len = size * n;
  if (s->size() + len > kMaxResponseBytes) return 0;  // aborts the transfer
  s->append(ptr, len);
  return len;
}

struct HeaderCapture {
  std::string request_id;
  std::string should_retry;  // Stripe-Should-Retry: "true" / "false" / absent
};

size_t capture_header(char* ptr, size_t size, size_t n, void* user) {
  auto* h = static_cast<HeaderCapture*>(user);
  const std::string_view line(ptr, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    const std::string name = text::to_lower_ascii(line.substr(0, colon));
    const std::string value(text::trim(line.substr(colon + 1)));
    if (name == "request-id") h->request_id = value;
    if (name == "stripe-should-retry") h->should_retry = text::to_lower_ascii(value);
  }
  return size * n;
}

struct Attempt {
  CURLcode curl = CURLE_OK;
  long status = 0;
  std::string body;
  HeaderCapture headers;
};

class StripeClient final : public StripeApi {
 public:
  explicit StripeClient(StripeSettings s) : s_(std::move(s)) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
  }

  nlohmann::json post(std::string_view path, const FormParams& params,
                      const std::string& idempotency_key) override {
    return call("POST", path, form_encode(params), idempotency_key, s_.timeout);
  }

  nlohmann::json get(std::string_view path, std::chrono::milliseconds budget) override {
    return call("GET", path, {}, {}, std::min(budget, s_.timeout));
  }

 private:
  nlohmann::json call(const char* method, std::string_view path, const std::string& body,
                      const std::string& idempotency_key, std::chrono::milliseconds timeout) {
    check_breaker();
    if (in_flight_.fetch_add(1) >= s_.max_concurrent_calls) {
      in_flight_.fetch_sub(1);
      throw StripeUnavailable("too many payment-provider calls in flight", 2);
    }
    struct Release {
      std::atomic<int>& n;
      ~Release() { n.fetch_sub(1); }
    } release{in_flight_};

    const std::string url = s_.api_base + std::string(path);
    const auto deadline = Clock::now() + timeout;
    std::string last_problem = "no attempt made";
    for (int attempt = 1; attempt <= s_.max_attempts; ++attempt) {
      const auto remaining =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (remaining < std::chrono::milliseconds(50)) break;
      Attempt a = perform(method, url, body, idempotency_key, remaining);
      if (a.curl == CURLE_OK && a.status >= 200 && a.status < 300) {
        auto parsed = nlohmann::json::parse(a.body, nullptr, false);
        if (parsed.is_object()) {
          record_success();
          return parsed;
        }
        last_problem = "the answer is not a JSON object";
      } else if (a.curl != CURLE_OK) {
        last_problem = curl_easy_strerror(a.curl);
      } else if (a.status == 409 || a.status == 429 || a.status >= 500) {
        last_problem = "HTTP " + std::to_string(a.status);
        if (a.headers.should_retry == "false") break;
      } else {
        record_success();  // Stripe is up; the request itself is wrong
        throw refused(a);
      }
      log::warn("stripe call failed",
                {{"method", method}, {"path", path}, {"attempt", attempt}, {"problem", last_problem},
                 {"stripe_request_id", a.headers.request_id}});
      if (attempt < s_.max_attempts) backoff(attempt, deadline);
    }
    const int retry_after = record_failure();
    throw StripeUnavailable("the payment provider is unavailable (" + last_problem + ")",
                            retry_after);
  }

  Attempt perform(const char* method, const std::string& url, const std::string& body,
                  const std::string& key, std::chrono::milliseconds budget) {
    Attempt a;
    CURL* curl = curl_easy_init();
    if (curl == nullptr) {
      a.curl = CURLE_FAILED_INIT;
      return a;
    }
    curl_slist* headers = nullptr;
    const std::string auth = "Authorization: Bearer " + s_.secret_key;
    const std::string idem = "Idempotency-Key: " + key;
    const std::string version = "Stripe-Version: " + std::string(kStripeApiVersion);
    const bool post = std::string_view(method) == "POST";
    headers = curl_slist_append(headers, auth.c_str());
    if (post) headers = curl_slist_append(headers, idem.c_str());
    headers = curl_slist_append(headers, version.c_str());
    if (post) headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
    headers = curl_slist_append(headers, "Accept: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (post) {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    } else {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(curl, CURLOPT_USERAGENT, s_.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(budget.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<int64_t>(budget.count(), 3000)));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, capture_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a.headers);
    a.curl = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return a;
  }

  static StripeRefused refused(const Attempt& a) {
    std::string message = "HTTP " + std::to_string(a.status), code, param;
    auto parsed = nlohmann::json::parse(a.body, nullptr, false);
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
      const auto& e = parsed["error"];
      if (e.contains("message") && e["message"].is_string()) message = e["message"];
      if (e.contains("code") && e["code"].is_string()) code = e["code"];
      if (e.contains("param") && e["param"].is_string()) param = e["param"];
    }
    log::error("stripe refused a request",
               {{"status", static_cast<int64_t>(a.status)}, {"code", code}, {"param", param},
                {"message", message}, {"stripe_request_id", a.headers.request_id}});
    return StripeRefused(static_cast<int>(a.status), code, param, message);
  }

  // Exponential backoff with full jitter (Stripe's advice for idempotent retries), cut short by
  // the deadline.
  static void backoff(int attempt, Clock::time_point deadline) {
    thread_local std::mt19937 rng{std::random_device{}()};
    const int cap_ms = 250 << (attempt - 1);
    std::uniform_int_distribution<int> pick(cap_ms / 2, cap_ms);
    auto wake = Clock::now() + std::chrono::milliseconds(pick(rng));
    std::this_thread::sleep_until(std::min(wake, deadline));
  }

  void check_breaker() {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    if (now < open_until_) {
      const auto left = std::chrono::duration_cast<std::chrono::seconds>(open_until_ - now);
      throw StripeUnavailable("the payment provider is unavailable (recent calls failed)",
                              static_cast<int>(left.count()) + 1);
    }
  }
  void record_success() {
    std::lock_guard lock(mu_);
    consecutive_failures_ = 0;
  }
  // Returns the Retry-After to answer with.
  int record_failure() {
    std::lock_guard lock(mu_);
    if (++consecutive_failures_ >= s_.breaker_threshold) {
      open_until_ = Clock::now() + s_.breaker_open_for;
      log::error("stripe unavailable, failing fast",
                 {{"seconds", static_cast<int64_t>(s_.breaker_open_for.count())}});
      return static_cast<int>(s_.breaker_open_for.count());
    }
    return 5;
  }

  StripeSettings s_;
  std::atomic<int> in_flight_{0};
  std::mutex mu_;
  int consecutive_failures_ = 0;
  Clock::time_point open_until_{};
};

}  // namespace

std::string form_encode(const FormParams& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += text::percent_encode(k);
    out += '=';
    out += text::percent_encode(v);
  }
  return out;
}

std::unique_ptr<StripeApi> make_stripe_client(StripeSettings settings) {
  return std::make_unique<StripeClient>(std::move(settings));
}

}  // namespace carat::billing
