-- migrate:up transaction:false
-- CONCURRENTLY keeps writes flowing; it cannot run in a transaction, hence transaction:false.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS products_sku_key ON products (sku);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY IF EXISTS products_sku_key;
