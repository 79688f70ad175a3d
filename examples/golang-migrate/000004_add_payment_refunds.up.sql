-- Nullable column without a default: a catalog-only change. Fail fast instead of queueing
-- behind a long transaction.
SET lock_timeout = '2s';
ALTER TABLE payments ADD COLUMN refunded_at timestamptz;
