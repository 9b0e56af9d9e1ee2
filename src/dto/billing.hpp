// JSON shapes of /api/billing: upstream 7750a50's {"premium", "membership_type"} and {"url"}, and
// what real billing adds (issue 13).
#pragma once

#include <string>

#include "domain/billing.hpp"
#include "dto/json.hpp"
#include "util/time.hpp"

namespace carat::dto {

namespace detail {
inline void write_unix_time(JsonWriter& w, std::string_view key, std::optional<int64_t> s) {
  if (s) {
    w.field(key, timeutil::format_api(timeutil::Micros(*s * 1000000)));
  } else {
    w.field_null(key);
  }
}
}  // namespace detail

// {"premium", "membership_type"} as upstream answers; with real billing configured, also
// "subscription": null or {"status", "current_period_end", "cancel_at_period_end",
// "grace_until"} (times in the API's ISO form).
inline std::string billing_status_json(const domain::BillingStatus& s) {
  JsonWriter w;
  w.begin_object().field("premium", s.premium).field("membership_type", s.membership_type);
  if (s.billing_enabled) {
    if (s.subscription) {
      const auto& sub = *s.subscription;
      w.key("subscription").begin_object().field("status", sub.status);
      detail::write_unix_time(w, "current_period_end", sub.current_period_end);
      w.field("cancel_at_period_end", sub.cancel_at_period_end);
      detail::write_unix_time(w, "grace_until", sub.grace_until);
      w.end_object();
    } else {
      w.field_null("subscription");
    }
  }
  w.end_object();
  return w.take();
}

// {"url": ...}: a Checkout or customer-portal page to send the browser to.
inline std::string redirect_url_json(const std::string& url) {
  JsonWriter w;
  w.begin_object().field("url", url).end_object();
  return w.take();
}

// {"received": true, "duplicate": bool}: what Stripe gets back for a webhook (logged in its
// dashboard).
inline std::string webhook_received_json(const domain::WebhookOutcome& o) {
  JsonWriter w;
  w.begin_object().field("received", true).field("duplicate", o.duplicate).end_object();
  return w.take();
}

}  // namespace carat::dto
