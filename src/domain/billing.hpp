// Premium membership paid through Stripe (issue 13): checkout and portal sessions, the signed
// webhook that drives users.membership_type, and the end of the grace period after a failed
// payment. Without STRIPE_SECRET_KEY billing keeps upstream 7750a50's answers (a configured test
// checkout URL, status from the member's type).
//
// Membership follows the subscriptions: a member with at least one subscription that entitles
// (active or trialing, or past_due, while a failed payment is within the grace period) is
// premium, any other member with subscriptions is free; members without any subscription (every
// member at the cut-over) keep their type, and an admin's type is never changed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "billing/stripe_client.hpp"
#include "config/config.hpp"
#include "db/billing_repository.hpp"
#include "db/database.hpp"
#include "domain/users.hpp"

namespace carat::domain {

using BillingSettings = config::Config::Stripe;

struct SubscriptionStatus {
  std::string status;  // Stripe's: active, trialing, past_due, canceled, unpaid, incomplete...
  std::optional<int64_t> current_period_end;  // Unix seconds
  bool cancel_at_period_end = false;
  std::optional<int64_t> grace_until;  // set while a failed payment is being retried
};

struct BillingStatus {
  bool premium = false;
  std::string membership_type;
  bool billing_enabled = false;
  std::optional<SubscriptionStatus> subscription;  // the most recently changed one
};

BillingStatus billing_status(db::Connection& c, const User& user, const BillingSettings& s);

// The member's Stripe customer, if a subscription named one.
std::optional<std::string> billing_customer(db::Connection& c, int64_t user_id);

struct StartedCheckout {
  std::string url;
  std::string session_id;
};

// Creates a Checkout Session for the premium price. 409 for a member who is already premium (or
// an admin); 503 + Retry-After when Stripe is unavailable; 502 when Stripe refuses the request (a
// configuration error: the detail says which parameter). Call it without holding a database
// connection: it waits for Stripe.
StartedCheckout start_checkout(billing::StripeApi& stripe, const BillingSettings& s,
                               const User& user, const std::optional<std::string>& customer);
// Stores the session, so that the member's return can be checked before the webhook arrives.
void remember_checkout(db::Connection& c, int64_t user_id, const std::string& session_id,
                       int64_t now);

// A Checkout Session as far as billing reads it (from its webhook or a lookup).
struct CheckoutSession {
  std::string id;
  std::string status;          // open, complete, expired
  std::string payment_status;  // paid, unpaid, no_payment_required
  std::string mode;
  std::string subscription;
  std::string customer;
  std::optional<int64_t> user;
};

// A member back from Checkout may be faster than Stripe's webhook. For a free member with an open
// session of the last 24 hours, returns the session to look up now (claimed: at most one lookup
// per session every 2 seconds, across replicas).
std::optional<std::string> checkout_to_look_up(db::Connection& c, const User& user,
                                               const BillingSettings& s, int64_t now);
// Looks the session up at Stripe (3 s at most; nullopt, logged, when Stripe does not answer).
// Call it without holding a database connection.
std::optional<CheckoutSession> look_up_checkout(billing::StripeApi& stripe,
                                                const std::string& session_id);
// Applies a completed session as its webhook does (the subscription active until its own events
// say otherwise); an expired one is not looked up again. True when the membership changed.
bool apply_checkout_lookup(db::Connection& c, const BillingSettings& s, const CheckoutSession& cs,
                           int64_t now);

// A customer-portal session (cancel, change the card) for `customer`; errors as start_checkout.
std::string open_billing_portal(billing::StripeApi& stripe, const BillingSettings& s,
                                int64_t user_id, const std::string& customer);

struct WebhookOutcome {
  std::string event_id;
  std::string type;
  bool duplicate = false;  // seen before: nothing applied
  bool applied = false;    // changed a subscription (false: ignored type, or an older state)
};

// Verifies the Stripe-Signature of the raw body (400 with a reason when it does not hold), then
// stores the event once and applies it, in one transaction. `connection` is called only once the
// signature holds: unsigned requests never take a database connection from the pool.
WebhookOutcome receive_stripe_event(const std::function<db::Connection&()>& connection,
                                    const BillingSettings& s, std::string_view signature_header,
                                    std::string_view payload, int64_t now);

// Members whose grace period ended since the last sweep lose premium unless another
// subscription entitles them. Returns how many members changed.
int end_expired_grace(db::Connection& c, const BillingSettings& s, int64_t now);

}  // namespace carat::domain
