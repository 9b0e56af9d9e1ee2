-- Portable SQL (both databases): real billing with Stripe (issue 13). Carat's own tables: the
-- legacy and upstream backends never read them, and a rollback leaves them unused (upstream keeps
-- reading users.membership_type, which these drive). Times are Unix seconds, as Stripe sends them.

-- One row per Stripe subscription. The row exists from the first event that names the
-- subscription, in whatever order events arrive; user_id and stripe_customer_id are filled by
-- whichever event carries them (checkout.session.completed, or the subscription's metadata).
-- last_event_created orders the subscription's state (status, period): an event older than the
-- state applied is stored but not applied. last_invoice_created does the same for payment
-- failure and recovery.
CREATE TABLE IF NOT EXISTS carat_billing_subscriptions (
  stripe_subscription_id TEXT PRIMARY KEY,
  user_id INTEGER,
  stripe_customer_id TEXT,
  status TEXT NOT NULL,
  current_period_end BIGINT,
  cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE,
  payment_failed_at BIGINT,
  last_event_created BIGINT NOT NULL DEFAULT 0,
  last_invoice_created BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS carat_ix_billing_subscriptions_user
  ON carat_billing_subscriptions (user_id);
-- The grace sweep: subscriptions whose payment failed.
CREATE INDEX IF NOT EXISTS carat_ix_billing_subscriptions_failed
  ON carat_billing_subscriptions (payment_failed_at) WHERE payment_failed_at IS NOT NULL;

-- Every Stripe event applied, once: a redelivery (Stripe retries for days, and may send an event
-- twice) finds its id here and changes nothing.
CREATE TABLE IF NOT EXISTS carat_stripe_events (
  event_id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  created BIGINT NOT NULL,
  received_at BIGINT NOT NULL
);

-- The Checkout Sessions the service created, so that a member back from Checkout is premium at
-- once even while Stripe's webhook is still on its way: GET /api/billing/status looks the member's
-- open session up at Stripe (checked_at spaces the lookups; completed ends them).
CREATE TABLE IF NOT EXISTS carat_billing_checkouts (
  session_id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  created BIGINT NOT NULL,
  checked_at BIGINT NOT NULL DEFAULT 0,
  completed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS carat_ix_billing_checkouts_user
  ON carat_billing_checkouts (user_id, created);
