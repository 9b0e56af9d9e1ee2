// The failed-password budget of one e-mail address and client (domain::LoginThrottle: in process
// on SQLite, in PostgreSQL for every replica), shared by
// every endpoint that checks a password without a token: login and account reactivation.
#pragma once

#include <string>
#include <string_view>

#include "app/context.hpp"
#include "errors/errors.hpp"
#include "observability/metrics.hpp"
#include "util/strings.hpp"

namespace carat::handlers {

class LoginGuard {
 public:
  LoginGuard(RequestContext& ctx, std::string_view email)
      : ctx_(ctx), key_(text::to_lower_ascii(email)) {}

  // 429 with Retry-After while the address or the client is over its budget.
  void check() const {
    if (auto retry = ctx_.app.login_throttle.retry_after(ctx_.db(), key_, ctx_.req.client_ip)) {
      ++metrics::global().rate_limited_logins;
      throw errors::too_many_requests("Too many failed login attempts, try again later", *retry);
    }
  }
  void failed() const {
    ctx_.app.login_throttle.record_failure(ctx_.db(), key_, ctx_.req.client_ip);
  }
  void succeeded() const { ctx_.app.login_throttle.clear_email(ctx_.db(), key_); }

 private:
  RequestContext& ctx_;
  std::string key_;
};

}  // namespace carat::handlers
