// The benchmark history of `migration-guard test`: 4 base tables (golang-migrate layout) and 30
// change migrations of the kinds teams ship (columns, defaults, indexes, backfills, NOT VALID +
// VALIDATE checks, a lookup table with an FK, views, functions, triggers, one CONCURRENTLY build),
// each with its down script.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const BASE = [
  ["create_customers", "CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());", "DROP TABLE customers;"],
  ["create_products", "CREATE TABLE products (id serial PRIMARY KEY, sku varchar(32) NOT NULL UNIQUE, title text NOT NULL, price_cents integer NOT NULL CHECK (price_cents >= 0));", "DROP TABLE products;"],
  ["create_orders", "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), total_cents integer NOT NULL DEFAULT 0, placed_at timestamptz NOT NULL DEFAULT now());\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);", "DROP TABLE orders;"],
  ["create_order_items", "CREATE TABLE order_items (id bigserial PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id), product_id integer NOT NULL REFERENCES products (id), quantity integer NOT NULL CHECK (quantity > 0));", "DROP TABLE order_items;"],
];

const TABLES = ["customers", "products", "orders", "order_items"];

function change() {
  const out = [];
  TABLES.forEach((t, i) => {
    out.push([`${t}_add_note`, `ALTER TABLE ${t} ADD COLUMN note text;`, `ALTER TABLE ${t} DROP COLUMN note;`]);
    out.push([`${t}_add_flag`, `ALTER TABLE ${t} ADD COLUMN flagged boolean NOT NULL DEFAULT false;`, `ALTER TABLE ${t} DROP COLUMN flagged;`]);
    out.push([`${t}_backfill_note`, `UPDATE ${t} SET note = 'n' || id WHERE note IS NULL;`, `UPDATE ${t} SET note = NULL;`]);
    out.push([`${t}_note_check`, `ALTER TABLE ${t} ADD CONSTRAINT ${t}_note_len CHECK (char_length(note) < 100) NOT VALID;\nALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_note_len;`, `ALTER TABLE ${t} DROP CONSTRAINT ${t}_note_len;`]);
    out.push([`${t}_index_note`, `CREATE INDEX ${t}_note_idx ON ${t} (note);`, `DROP INDEX ${t}_note_idx;`]);
    if (i === 2) out.push([`orders_index_placed_concurrently`, "CREATE INDEX CONCURRENTLY orders_placed_at_idx ON orders (placed_at);", "DROP INDEX CONCURRENTLY orders_placed_at_idx;"]);
  });
  out.push(["create_regions", "CREATE TABLE regions (id serial PRIMARY KEY, name text NOT NULL UNIQUE);\nINSERT INTO regions (name) VALUES ('north'), ('south');", "DROP TABLE regions;"]);
  out.push(["customers_region", "ALTER TABLE customers ADD COLUMN region_id integer REFERENCES regions (id);", "ALTER TABLE customers DROP COLUMN region_id;"]);
  out.push(["order_totals_view", "CREATE VIEW order_totals AS SELECT customer_id, count(*) AS orders, sum(total_cents) AS total FROM orders GROUP BY customer_id;", "DROP VIEW order_totals;"]);
  out.push(["touch_function", "CREATE FUNCTION touch_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'touched'); RETURN NEW; END $$;", "DROP FUNCTION touch_note();"]);
  out.push(["orders_touch_trigger", "CREATE TRIGGER orders_touch BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION touch_note();", "DROP TRIGGER orders_touch ON orders;"]);
  out.push(["products_price_index", "CREATE INDEX products_price_idx ON products (price_cents);", "DROP INDEX products_price_idx;"]);
  out.push(["customers_lower_email_index", "CREATE INDEX customers_lower_email_idx ON customers (lower(email));", "DROP INDEX customers_lower_email_idx;"]);
  out.push(["order_items_quantity_default", "ALTER TABLE order_items ALTER COLUMN quantity SET DEFAULT 1;", "ALTER TABLE order_items ALTER COLUMN quantity DROP DEFAULT;"]);
  out.push(["invoice_sequence", "CREATE SEQUENCE invoice_seq START 1000;", "DROP SEQUENCE invoice_seq;"]);
  return out;
}

/** Writes the history into `dir` and returns the number of change migrations. */
export function writeBenchHistory(dir) {
  mkdirSync(dir, { recursive: true });
  const all = [...BASE, ...change()];
  all.forEach(([name, up, down], i) => {
    const v = String(i + 1).padStart(6, "0");
    writeFileSync(join(dir, `${v}_${name}.up.sql`), `${up}\n`);
    writeFileSync(join(dir, `${v}_${name}.down.sql`), `${down}\n`);
  });
  return { base: BASE.length, change: all.length - BASE.length };
}
