CREATE TABLE invoices (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id   bigint      NOT NULL,
    amount_cents  integer     NOT NULL,
    issued_at     timestamptz NOT NULL DEFAULT now()
);
