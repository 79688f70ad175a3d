CREATE TABLE payments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id    bigint      NOT NULL REFERENCES invoices (id),
    amount_cents  integer     NOT NULL,
    paid_at       timestamptz NOT NULL DEFAULT now()
);
