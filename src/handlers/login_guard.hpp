// The failed-password budget of one e-mail address and client (domain::LoginThrottle: in process
// on SQLite, in PostgreSQL for every replica), shared by every endpoint that checks a password
// without a token: login and account reactivation.
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
  LoginGuard(const LoginGuard&) = delete;
  LoginGuard& operator=(const LoginGuard&) = delete;
  // An attempt that ended neither failed() nor succeeded() (an inactive account, an error)
  // gives its place back.
  ~LoginGuard() {
    if (!reserved_) return;
    try {
      ctx_.app.login_throttle.release(ctx_.db(), key_, ctx_.req.client_ip);
    } catch (...) {  // the window forgets it within 15 minutes anyway
    }
  }

  // 429 with Retry-After while the address or the client is over its budget; otherwise the
  // attempt is counted now, before any password is hashed, so concurrent guesses cannot all
  // pass the check before one of them is recorded.
  void check() {
    if (auto retry = ctx_.app.login_throttle.reserve(ctx_.db(), key_, ctx_.req.client_ip)) {
      ++metrics::global().rate_limited_logins;
      throw errors::too_many_requests("Too many failed login attempts, try again later", *retry);
    }
    reserved_ = true;
  }
  // The counted attempt stays counted.
  void failed() { reserved_ = false; }
  // The address's failures are forgotten and the attempt gives its place back.
  void succeeded() {
    ctx_.app.login_throttle.release(ctx_.db(), key_, ctx_.req.client_ip);
    ctx_.app.login_throttle.clear_email(ctx_.db(), key_);
    reserved_ = false;
  }

 private:
  RequestContext& ctx_;
  std::string key_;
  bool reserved_ = false;
};

}  // namespace carat::handlers
