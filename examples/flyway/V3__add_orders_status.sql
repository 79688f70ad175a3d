-- A constant default is metadata-only since PostgreSQL 11: no table rewrite.
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'pending';
