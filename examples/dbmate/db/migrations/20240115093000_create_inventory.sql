-- migrate:up
CREATE TABLE inventory (
    product_id  bigint  PRIMARY KEY REFERENCES products (id),
    on_hand     integer NOT NULL DEFAULT 0
);

-- migrate:down
DROP TABLE inventory;
