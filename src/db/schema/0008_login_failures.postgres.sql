-- Failed logins, shared by every replica (issue 14 item 7: a throttle kept in one process gives
-- an attacker N times the guesses behind N replicas). One row per failure and scope; rows older
-- than the window are deleted as new ones are written. Carat's own table: the legacy service
-- never reads it, a rollback leaves it unused.
CREATE TABLE IF NOT EXISTS carat_login_failures (
  id BIGSERIAL PRIMARY KEY,
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  failed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS carat_ix_login_failures_key
  ON carat_login_failures (scope, key, failed_at);
