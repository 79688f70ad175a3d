-- Order history page: look up a customer's orders.
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
