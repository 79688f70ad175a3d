-- One underscore after the version: Flyway never picks this file up.
ALTER TABLE orders ADD COLUMN coupon_code text;
