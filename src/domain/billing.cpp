#include "domain/billing.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "billing/stripe_signature.hpp"
#include "errors/errors.hpp"
#include "observability/log.hpp"
#include "util/strings.hpp"

namespace carat::domain {

namespace {

using nlohmann::json;

// Events larger than this are not Stripe's (its events are a few KiB).
constexpr size_t kMaxEventBytes = 256 * 1024;

int64_t grace_seconds(const BillingSettings& s) {
  return std::chrono::duration_cast<std::chrono::seconds>(s.grace).count();
}

// When the member's access from this subscription ends because of a failed payment.
std::optional<int64_t> grace_until(const db::SubscriptionRow& r, const BillingSettings& s) {
  if (r.status == "past_due") {
    return r.payment_failed_at.value_or(r.last_event_created) + grace_seconds(s);
  }
  if ((r.status == "active" || r.status == "trialing") && r.payment_failed_at) {
    return *r.payment_failed_at + grace_seconds(s);
  }
  return std::nullopt;
}

bool entitles(const db::SubscriptionRow& r, const BillingSettings& s, int64_t now) {
  if (r.status != "active" && r.status != "trialing" && r.status != "past_due") return false;
  const auto until = grace_until(r, s);
  return !until || now < *until;
}

// Sets the member's type from their subscriptions (no subscription: unchanged). True when it
// changed.
bool settle_membership(db::BillingRepository& repo, int64_t user_id, const BillingSettings& s,
                       int64_t now) {
  const auto subs = repo.of_user(user_id);
  if (subs.empty()) return false;
  const bool premium =
      std::ranges::any_of(subs, [&](const auto& r) { return entitles(r, s, now); });
  if (repo.set_membership(user_id, premium ? "premium" : "free")) {
    log::info("membership changed by billing",
              {{"user_id", user_id}, {"membership_type", premium ? "premium" : "free"}});
    return true;
  }
  return false;
}

// ---- reading Stripe's objects (fields may be missing, null, or expanded objects) ----

std::string str_of(const json& o, const char* key) {
  if (!o.is_object()) return {};
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// An id field that may be expanded into the object it names.
std::string id_of(const json& o, const char* key) {
  if (!o.is_object()) return {};
  auto it = o.find(key);
  if (it == o.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) return str_of(*it, "id");
  return {};
}

std::optional<int64_t> int_of(const json& o, const char* key) {
  if (!o.is_object()) return std::nullopt;
  auto it = o.find(key);
  if (it == o.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

const json& child(const json& o, const char* key) {
  static const json kNull;
  if (!o.is_object()) return kNull;
  auto it = o.find(key);
  return it == o.end() ? kNull : *it;
}

std::optional<int64_t> user_id_text(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  auto v = text::parse_int64(s);
  if (!v || *v <= 0) return std::nullopt;
  return v;
}

// The member an object names: client_reference_id (Checkout), else metadata.user_id (set on the
// session and on the subscription by start_checkout).
std::optional<int64_t> user_of(const json& o) {
  if (auto v = user_id_text(str_of(o, "client_reference_id"))) return v;
  return user_id_text(str_of(child(o, "metadata"), "user_id"));
}

// Fills what the row does not know yet; never moves a subscription to another member.
void link(db::BillingRepository& repo, db::SubscriptionRow& row, std::optional<int64_t> user,
          const std::string& customer) {
  if (!row.user_id && user && repo.user_exists(*user)) row.user_id = user;
  if (row.user_id && user && *row.user_id != *user) {
    log::warn("stripe event names another member for a subscription; kept the first",
              {{"subscription", row.stripe_subscription_id}});
  }
  if (!row.stripe_customer_id && !customer.empty()) row.stripe_customer_id = customer;
}

bool is_terminal(const db::SubscriptionRow& row) {
  // A canceled subscription never becomes active again in Stripe (a new one is created).
  return row.last_event_created > 0 &&
         (row.status == "canceled" || row.status == "incomplete_expired");
}

struct Event {
  std::string id;
  std::string type;
  int64_t created = 0;
  const json* object = nullptr;
};

// The subscription an invoice belongs to (its place moved in newer API versions).
std::string invoice_subscription(const json& invoice) {
  if (auto id = id_of(invoice, "subscription"); !id.empty()) return id;
  return id_of(child(child(invoice, "parent"), "subscription_details"), "subscription");
}

std::optional<int64_t> invoice_user(const json& invoice) {
  if (auto v = user_id_text(str_of(child(child(invoice, "subscription_details"), "metadata"),
                                   "user_id"))) {
    return v;
  }
  return user_id_text(str_of(
      child(child(child(invoice, "parent"), "subscription_details"), "metadata"), "user_id"));
}

CheckoutSession checkout_session_of(const json& o) {
  return {str_of(o, "id"),           str_of(o, "status"),        str_of(o, "payment_status"),
          str_of(o, "mode"),         id_of(o, "subscription"),   id_of(o, "customer"),
          user_of(o)};
}

// Applies one event to its subscription's row; returns the member to settle (if known) and
// whether anything changed.
struct Applied {
  std::optional<int64_t> user;
  bool changed = false;
};

// What a completed Checkout Session says, from its webhook or from looking it up.
Applied apply_checkout(db::BillingRepository& repo, const CheckoutSession& cs, int64_t now) {
  Applied out;
  if (cs.mode != "subscription" || cs.subscription.empty()) return out;
  if (!cs.id.empty()) repo.complete_checkout(cs.id);
  auto row = repo.lock(cs.subscription, now);
  link(repo, row, cs.user, cs.customer);
  // Paid at checkout: active until the subscription's own events say otherwise (any of them,
  // whenever it arrives, wins over this provisional state).
  if (row.last_event_created == 0 &&
      (cs.payment_status == "paid" || cs.payment_status == "no_payment_required")) {
    row.status = "active";
  }
  repo.save(row, now);
  return {row.user_id, true};
}

Applied apply(db::BillingRepository& repo, const Event& e, int64_t now) {
  const json& o = *e.object;
  Applied out;
  if (e.type == "checkout.session.completed" ||
      e.type == "checkout.session.async_payment_succeeded") {
    out = apply_checkout(repo, checkout_session_of(o), now);
  } else if (e.type.rfind("customer.subscription.", 0) == 0) {
    const std::string sub = str_of(o, "id");
    if (sub.empty()) return out;
    auto row = repo.lock(sub, now);
    link(repo, row, user_of(o), id_of(o, "customer"));
    if (!is_terminal(row) && e.created >= row.last_event_created) {
      const std::string before = row.status;
      std::string status = e.type == "customer.subscription.deleted" ? "canceled"
                                                                      : str_of(o, "status");
      if (!status.empty()) row.status = std::move(status);
      auto period_end = int_of(o, "current_period_end");
      if (!period_end) {
        // API versions from 2025-03-31 keep the period on the subscription's items.
        const json& items = child(child(o, "items"), "data");
        if (items.is_array() && !items.empty()) period_end = int_of(items[0], "current_period_end");
      }
      if (period_end) row.current_period_end = period_end;
      if (auto it = o.find("cancel_at_period_end"); it != o.end() && it->is_boolean()) {
        row.cancel_at_period_end = it->get<bool>();
      }
      row.last_event_created = e.created;
      // From past_due (or unpaid) back to active: the payment recovered.
      if ((before == "past_due" || before == "unpaid") &&
          (row.status == "active" || row.status == "trialing")) {
        row.payment_failed_at.reset();
      }
      out.changed = true;
    }
    repo.save(row, now);
    out.user = row.user_id;
  } else if (e.type == "invoice.payment_failed" || e.type == "invoice.paid" ||
             e.type == "invoice.payment_succeeded") {
    const std::string sub = invoice_subscription(o);
    if (sub.empty()) return out;  // a one-off invoice: not ours
    auto row = repo.lock(sub, now);
    link(repo, row, invoice_user(o), id_of(o, "customer"));
    if (e.created >= row.last_invoice_created) {
      if (e.type == "invoice.payment_failed") {
        if (!row.payment_failed_at) row.payment_failed_at = e.created;
      } else {
        row.payment_failed_at.reset();
      }
      row.last_invoice_created = e.created;
      out.changed = true;
    }
    repo.save(row, now);
    out.user = row.user_id;
  }
  return out;
}

// Runs a call to Stripe, turning its failures into the answers the contract gives them.
template <class F>
auto provider_call(F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const billing::StripeUnavailable& e) {
    throw errors::ApiError(503, "The payment provider is unavailable; try again shortly",
                           {{"Retry-After", std::to_string(std::max(1, e.retry_after_seconds()))}});
  } catch (const billing::StripeRefused& e) {
    std::string detail = "The payment provider refused the request";
    if (!e.param().empty()) detail += " (parameter " + e.param() + ")";
    throw errors::ApiError(502, detail);
  }
}

std::string url_of(const json& session) {
  std::string url = str_of(session, "url");
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    throw errors::ApiError(502, "The payment provider answered without a URL");
  }
  return url;
}

}  // namespace

BillingStatus billing_status(db::Connection& c, const User& user, const BillingSettings& s) {
  BillingStatus out;
  out.membership_type = user.membership_type;
  out.premium = user.membership_type == "premium";
  out.billing_enabled = s.enabled();
  if (!s.enabled()) return out;
  db::BillingRepository repo(c);
  auto subs = repo.of_user(user.id);
  if (subs.empty()) return out;
  const auto& r = subs.front();
  out.subscription = SubscriptionStatus{r.status, r.current_period_end, r.cancel_at_period_end,
                                        grace_until(r, s)};
  return out;
}

std::optional<std::string> billing_customer(db::Connection& c, int64_t user_id) {
  db::BillingRepository repo(c);
  for (const auto& r : repo.of_user(user_id)) {
    if (r.stripe_customer_id) return r.stripe_customer_id;
  }
  return std::nullopt;
}

StartedCheckout start_checkout(billing::StripeApi& stripe, const BillingSettings& s,
                               const User& user, const std::optional<std::string>& customer) {
  if (user.membership_type != "free") {
    throw errors::conflict(user.is_admin() ? "Admins do not need a subscription"
                                           : "You are already a premium member");
  }
  const std::string uid = std::to_string(user.id);
  billing::FormParams p = {
      {"mode", "subscription"},
      {"line_items[0][price]", s.price_id},
      {"line_items[0][quantity]", "1"},
      {"client_reference_id", uid},
      {"success_url", s.success_url},
      {"cancel_url", s.cancel_url},
      {"metadata[user_id]", uid},
      {"subscription_data[metadata][user_id]", uid},
  };
  if (customer) {
    p.emplace_back("customer", *customer);
  } else {
    p.emplace_back("customer_email", user.email);
  }
  // One key per checkout attempt, reused by the client's retries of this call only.
  const std::string key = "carat-checkout-" + uid + "-" + text::random_hex(12);
  return provider_call([&] {
    const json session = stripe.post("/v1/checkout/sessions", p, key);
    const std::string id = str_of(session, "id");
    if (id.empty() || id.size() > 255) {
      throw errors::ApiError(502, "The payment provider answered without a session id");
    }
    return StartedCheckout{url_of(session), id};
  });
}

void remember_checkout(db::Connection& c, int64_t user_id, const std::string& session_id,
                       int64_t now) {
  db::BillingRepository(c).remember_checkout(session_id, user_id, now);
}

std::optional<std::string> checkout_to_look_up(db::Connection& c, const User& user,
                                               const BillingSettings& s, int64_t now) {
  if (!s.enabled() || user.membership_type != "free") return std::nullopt;
  // Checkout Sessions expire after 24 hours; one lookup per session every 2 seconds.
  return db::BillingRepository(c).claim_checkout(user.id, now - 24 * 3600, now - 2, now);
}

std::optional<CheckoutSession> look_up_checkout(billing::StripeApi& stripe,
                                                const std::string& session_id) {
  try {
    const json session = stripe.get("/v1/checkout/sessions/" + text::percent_encode(session_id),
                                     std::chrono::milliseconds(3000));
    return checkout_session_of(session);
  } catch (const std::exception& e) {
    // The status is answered from what the database knows; the webhook will follow.
    log::warn("checkout lookup failed", {{"error", e.what()}});
    return std::nullopt;
  }
}

bool apply_checkout_lookup(db::Connection& c, const BillingSettings& s, const CheckoutSession& cs,
                           int64_t now) {
  db::BillingRepository repo(c);
  db::Transaction tx(c, true);
  bool changed = false;
  if (cs.status == "expired") {
    repo.complete_checkout(cs.id);
  } else if (cs.status == "complete") {
    const Applied applied = apply_checkout(repo, cs, now);
    if (applied.user) changed = settle_membership(repo, *applied.user, s, now);
  }
  tx.commit();
  return changed;
}

std::string open_billing_portal(billing::StripeApi& stripe, const BillingSettings& s,
                                int64_t user_id, const std::string& customer) {
  const billing::FormParams p = {{"customer", customer}, {"return_url", s.portal_return_url}};
  const std::string key = "carat-portal-" + std::to_string(user_id) + "-" + text::random_hex(12);
  return provider_call(
      [&] { return url_of(stripe.post("/v1/billing_portal/sessions", p, key)); });
}

WebhookOutcome receive_stripe_event(const std::function<db::Connection&()>& connection,
                                    const BillingSettings& s, std::string_view signature_header,
                                    std::string_view payload, int64_t now) {
  const auto check = billing::verify_signature(signature_header, payload, s.webhook_secrets, now,
                                               s.webhook_tolerance_seconds);
  if (check != billing::SignatureCheck::kValid) {
    log::warn("stripe webhook refused", {{"reason", billing::describe(check)}});
    throw errors::bad_request(std::string(billing::describe(check)));
  }
  if (payload.size() > kMaxEventBytes) throw errors::payload_too_large("Event too large");
  const json event = json::parse(payload, nullptr, false);
  Event e;
  e.id = str_of(event, "id");
  e.type = str_of(event, "type");
  e.created = int_of(event, "created").value_or(-1);
  const json& object = child(child(event, "data"), "object");
  if (e.id.empty() || e.id.size() > 255 || e.type.empty() || e.type.size() > 255 ||
      e.created < 0 || !object.is_object()) {
    throw errors::bad_request("Invalid event: expected id, type, created and data.object");
  }
  e.object = &object;

  WebhookOutcome out{e.id, e.type};
  db::Connection& c = connection();
  db::BillingRepository repo(c);
  db::Transaction tx(c, true);
  if (!repo.record_event(e.id, e.type, e.created, now)) {
    out.duplicate = true;
    return out;  // rolled back: nothing was written
  }
  const Applied applied = apply(repo, e, now);
  if (applied.user) settle_membership(repo, *applied.user, s, now);
  tx.commit();
  out.applied = applied.changed;
  log::info("stripe event", {{"event_id", e.id},
                             {"type", e.type},
                             {"applied", out.applied}});
  return out;
}

int end_expired_grace(db::Connection& c, const BillingSettings& s, int64_t now) {
  db::BillingRepository repo(c);
  int changed = 0;
  for (int64_t user : repo.grace_expired(now - grace_seconds(s))) {
    db::Transaction tx(c, true);
    if (settle_membership(repo, user, s, now)) ++changed;
    tx.commit();
  }
  return changed;
}

}  // namespace carat::domain
