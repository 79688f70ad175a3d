import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { existingAlteredTable, lock } from "./_pg.js";

const rule: Rule = {
  id: "drop-constraint",
  title: "Dropping a constraint from an existing table",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "`DROP CONSTRAINT` takes a brief ACCESS EXCLUSIVE lock on the table (and, for a foreign key, on the referenced table too), and removes a guarantee the data had: from the next write on, rows the constraint used to refuse (orphans, duplicates, out-of-range values) can appear, and putting the constraint back later needs a full validation. Dropping a primary key or unique constraint also drops its index, which can turn indexed lookups into sequential scans.",
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "metadata only",
    safeAlternative: [
      "1. Make sure no code relies on the guarantee (error handling for unique violations, cascades, ON CONFLICT targets).",
      "2. If the constraint is being replaced, add the new one first (`NOT VALID`, then `VALIDATE CONSTRAINT`), and drop the old one in a later migration.",
      "3. For a primary key or unique constraint, build the replacement index `CONCURRENTLY` before dropping, so queries keep an index.",
      "4. Set `lock_timeout` so the brief ACCESS EXCLUSIVE lock cannot queue behind long transactions.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint CONSTRAINT orders_customer_id_fkey REFERENCES customers (id), total numeric CONSTRAINT orders_total_check CHECK (total >= 0));",
    bad: [
      {
        sql: "ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;",
        note: "a foreign key: its triggers live on both tables, so the referenced table is locked too (measured on PostgreSQL 15)",
        locks: [
          { on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" },
          { on: "referenced table", mode: "ACCESS EXCLUSIVE", relation: "customers" },
        ],
      },
      "ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_total_check;",
    ],
    good: [
      "CREATE TABLE drafts (id bigint, body text CONSTRAINT drafts_body_check CHECK (body <> ''));\nALTER TABLE drafts DROP CONSTRAINT drafts_body_check;",
      {
        sql: "ALTER TABLE orders DROP CONSTRAINT orders_status_check;",
        files: { "migrations/0001_example.sql": "ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status <> '') NOT VALID;" },
        path: "migrations/0001_example.down.sql",
        note: "the rollback drops the constraint its up migration added",
      },
    ],
  },
  check(statement, { state }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    return alterCommands(statement.ast)
      .filter((c) => c.subtype === "AT_DropConstraint" && !state.constraintsAddedInChange.has(`${stripPublic(table)}:${c.name}`))
      .map((c) => ({
        message: `Dropping constraint \`${c.name}\` from \`${table}\` removes a guarantee the data had; restoring it later needs a full validation.`,
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help: "Add any replacement first and make sure no code relies on the guarantee; drop it in a later migration with lock_timeout set.",
      }));
  },
};

export default rule;
