-- migrate:up
CREATE TABLE products (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text    NOT NULL,
    price_cents integer NOT NULL
);

-- migrate:down
DROP TABLE products;
