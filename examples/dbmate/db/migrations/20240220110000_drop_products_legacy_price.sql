-- migrate:up
ALTER TABLE products DROP COLUMN price_cents;

-- migrate:down
