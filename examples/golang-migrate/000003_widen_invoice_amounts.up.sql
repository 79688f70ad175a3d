-- Invoices above 21 million euros overflow integer cents.
ALTER TABLE invoices ALTER COLUMN amount_cents TYPE bigint;
ALTER TABLE payments ALTER COLUMN amount_cents TYPE bigint;
