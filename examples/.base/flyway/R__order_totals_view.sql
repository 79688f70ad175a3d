CREATE OR REPLACE VIEW order_totals AS
SELECT customer_id, count(*) AS orders, sum(total_cents) AS total_cents
FROM orders
GROUP BY customer_id;
