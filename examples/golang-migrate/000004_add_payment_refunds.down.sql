SET lock_timeout = '2s';
ALTER TABLE payments DROP COLUMN refunded_at;
