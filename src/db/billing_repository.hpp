// Stripe subscriptions and events (carat_billing_subscriptions, carat_stripe_events; migration
// 0009), and the membership they drive (users.membership_type, which upstream reads too; an
// admin's type is never changed by billing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"
#include "db/row.hpp"

namespace carat::db {

struct SubscriptionRow {
  std::string stripe_subscription_id;
  std::optional<int64_t> user_id;
  std::optional<std::string> stripe_customer_id;
  std::string status;
  std::optional<int64_t> current_period_end;
  bool cancel_at_period_end = false;
  std::optional<int64_t> payment_failed_at;
  int64_t last_event_created = 0;
  int64_t last_invoice_created = 0;
};

namespace billing_sql {

#define CARAT_SUBSCRIPTION_COLUMNS                                                          \
  "stripe_subscription_id, user_id, stripe_customer_id, status, current_period_end, "       \
  "cancel_at_period_end, payment_failed_at, last_event_created, last_invoice_created"

// The event's id is stored with the changes it makes, in one transaction: a redelivery inserts
// nothing and so applies nothing.
inline constexpr Query kRecordEvent{
    "billing_record_event",
    "INSERT INTO carat_stripe_events (event_id, type, created, received_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING"};
// A subscription's row exists from the first event naming it ('incomplete' until a state is
// applied); the lock then serialises concurrent deliveries for one subscription.
inline constexpr Query kEnsure{
    "billing_ensure_subscription",
    "INSERT INTO carat_billing_subscriptions (stripe_subscription_id, status, updated_at) "
    "VALUES ($1, 'incomplete', $2) ON CONFLICT (stripe_subscription_id) DO NOTHING"};
inline constexpr Select<SubscriptionRow> kLockOne{
    "billing_lock_subscription",
    "SELECT " CARAT_SUBSCRIPTION_COLUMNS
    " FROM carat_billing_subscriptions WHERE stripe_subscription_id = $1 FOR UPDATE",
    "SELECT " CARAT_SUBSCRIPTION_COLUMNS
    " FROM carat_billing_subscriptions WHERE stripe_subscription_id = $1"};
inline constexpr Query kSave{
    "billing_save_subscription",
    "UPDATE carat_billing_subscriptions SET user_id = $2, stripe_customer_id = $3, status = $4, "
    "current_period_end = $5, cancel_at_period_end = $6, payment_failed_at = $7, "
    "last_event_created = $8, last_invoice_created = $9, updated_at = $10 "
    "WHERE stripe_subscription_id = $1"};
// A member's subscriptions, the most recently changed first.
inline constexpr Select<SubscriptionRow> kOfUser{
    "billing_subscriptions_of_user",
    "SELECT " CARAT_SUBSCRIPTION_COLUMNS
    " FROM carat_billing_subscriptions WHERE user_id = $1 "
    "ORDER BY updated_at DESC, stripe_subscription_id"};
// Premium members with a subscription whose payment failed (or that went past_due) before $1,
// the start of the grace period still running.
inline constexpr Select<Value<int64_t>> kGraceExpired{
    "billing_grace_expired",
    "SELECT DISTINCT s.user_id FROM carat_billing_subscriptions s JOIN users u ON u.id = s.user_id "
    "WHERE ((s.payment_failed_at IS NOT NULL AND s.payment_failed_at < $1) "
    "OR (s.status = 'past_due' AND s.last_event_created < $1)) "
    "AND u.membership_type = 'premium'"};
inline constexpr Query kSetMembership{
    "billing_set_membership",
    "UPDATE users SET membership_type = $2 WHERE id = $1 "
    "AND COALESCE(membership_type, 'premium') IN ('free', 'premium') "
    "AND COALESCE(membership_type, '') <> $2"};
inline constexpr Select<Value<int64_t>> kUserExists{"billing_user_exists",
                                                   "SELECT id FROM users WHERE id = $1"};

inline constexpr Query kRememberCheckout{
    "billing_remember_checkout",
    "INSERT INTO carat_billing_checkouts (session_id, user_id, created) VALUES ($1, $2, $3) "
    "ON CONFLICT (session_id) DO NOTHING"};
// The member's newest open session created after $2 whose last lookup is older than $3; the
// lookup is claimed in the same statement, so replicas answering at once look it up once.
inline constexpr Select<Value<std::string>> kClaimCheckout{
    "billing_claim_checkout",
    "UPDATE carat_billing_checkouts SET checked_at = $4 WHERE session_id = ("
    "SELECT session_id FROM carat_billing_checkouts WHERE user_id = $1 AND NOT completed "
    "AND created > $2 ORDER BY created DESC LIMIT 1) AND checked_at <= $3 RETURNING session_id"};
inline constexpr Query kCompleteCheckout{
    "billing_complete_checkout",
    "UPDATE carat_billing_checkouts SET completed = TRUE WHERE session_id = $1"};

#undef CARAT_SUBSCRIPTION_COLUMNS

}  // namespace billing_sql

class BillingRepository {
 public:
  explicit BillingRepository(Connection& c) : c_(c) {}

  // False when the event was stored before (a redelivery).
  bool record_event(std::string_view id, std::string_view type, int64_t created, int64_t now) {
    return c_.exec(billing_sql::kRecordEvent, {id, type, created, now}).affected() > 0;
  }
  // The subscription's row, created if new, locked until the transaction ends.
  SubscriptionRow lock(std::string_view subscription_id, int64_t now) {
    c_.exec(billing_sql::kEnsure, {subscription_id, now});
    auto row = fetch_one(c_, billing_sql::kLockOne, {subscription_id});
    if (!row) throw std::runtime_error("billing: subscription row vanished");
    return std::move(*row);
  }
  void save(const SubscriptionRow& s, int64_t now) {
    c_.exec(billing_sql::kSave,
            {s.stripe_subscription_id, s.user_id, s.stripe_customer_id, s.status,
             s.current_period_end, s.cancel_at_period_end, s.payment_failed_at,
             s.last_event_created, s.last_invoice_created, now});
  }
  std::vector<SubscriptionRow> of_user(int64_t user_id) {
    return fetch_all(c_, billing_sql::kOfUser, {user_id});
  }
  std::vector<int64_t> grace_expired(int64_t failed_before) {
    std::vector<int64_t> out;
    for (auto& v : fetch_all(c_, billing_sql::kGraceExpired, {failed_before})) {
      out.push_back(v.value);
    }
    return out;
  }
  // True when the member's type changed.
  bool set_membership(int64_t user_id, std::string_view type) {
    return c_.exec(billing_sql::kSetMembership, {user_id, type}).affected() > 0;
  }
  void remember_checkout(std::string_view session_id, int64_t user_id, int64_t now) {
    c_.exec(billing_sql::kRememberCheckout, {session_id, user_id, now});
  }
  std::optional<std::string> claim_checkout(int64_t user_id, int64_t created_after,
                                            int64_t checked_before, int64_t now) {
    auto row = fetch_one(c_, billing_sql::kClaimCheckout,
                         {user_id, created_after, checked_before, now});
    if (!row) return std::nullopt;
    return std::move(row->value);
  }
  void complete_checkout(std::string_view session_id) {
    c_.exec(billing_sql::kCompleteCheckout, {session_id});
  }
  bool user_exists(int64_t user_id) {
    return fetch_one(c_, billing_sql::kUserExists, {user_id}).has_value();
  }

 private:
  Connection& c_;
};

}  // namespace carat::db
