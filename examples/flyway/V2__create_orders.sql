CREATE TABLE orders (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint      NOT NULL,
    total_cents  bigint      NOT NULL CHECK (total_cents >= 0),
    placed_at    timestamptz NOT NULL DEFAULT now()
);
