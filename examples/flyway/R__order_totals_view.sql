-- Repeatable: Flyway re-applies it whenever it changes, so editing it is the intended workflow.
CREATE OR REPLACE VIEW order_totals AS
SELECT customer_id, status, count(*) AS orders, sum(total_cents) AS total_cents
FROM orders
GROUP BY customer_id, status;
