-- migrate:up
-- Written on a branch cut before 20240201100000_add_products_sku was merged.
ALTER TABLE products ADD COLUMN tags text[] NOT NULL DEFAULT '{}';

-- migrate:down
ALTER TABLE products DROP COLUMN tags;
