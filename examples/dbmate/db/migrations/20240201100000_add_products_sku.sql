-- migrate:up
ALTER TABLE products ADD COLUMN sku text;

-- migrate:down
ALTER TABLE products DROP COLUMN sku;
