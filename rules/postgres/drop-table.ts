import type { Rule } from "../../src/core/analyze/rule.js";
import { names } from "../../src/core/analyze/pg-ast.js";
import { isExisting, lock } from "./_pg.js";

const KINDS: Record<string, string> = { OBJECT_TABLE: "table", OBJECT_MATVIEW: "materialized view" };

const rule: Rule = {
  id: "drop-table",
  title: "Dropping a table",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "`DROP TABLE` destroys the table's data for good and breaks running code that still uses it. It takes an ACCESS EXCLUSIVE lock on the dropped table **and on every table its foreign keys reference** (measured on PostgreSQL 15), so it also waits behind, and then blocks, all traffic on those parents. With CASCADE it silently drops dependent views and foreign keys too.",
    locks: [
      { on: "dropped table", mode: "ACCESS EXCLUSIVE", relation: "orders" },
      { on: "tables its foreign keys reference", mode: "ACCESS EXCLUSIVE", relation: "customers" },
    ],
    work: "metadata only",
    safeAlternative: [
      "1. Stop using the table in the code and deploy.",
      "2. Optionally rename it (e.g. `<table>_deprecated`) for a release to catch forgotten users.",
      "3. Back it up (`pg_dump -t`) if the data may be needed.",
      "4. Drop it in a later migration with `lock_timeout` set; never with CASCADE unless you listed what it removes.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE customers (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));",
    bad: ["DROP TABLE orders;", { sql: "DROP MATERIALIZED VIEW order_totals;", setup: "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric); CREATE MATERIALIZED VIEW order_totals AS SELECT sum(total) FROM orders;", locks: [{ on: "dropped materialized view", mode: "ACCESS EXCLUSIVE", relation: "order_totals" }], note: "its rows are derived: the finding is about its readers, not lost data" }],
    good: ["CREATE TABLE scratch (id bigint);\nDROP TABLE scratch;", { sql: "DROP TABLE refunds;", files: { "migrations/0001_example.sql": "CREATE TABLE refunds (id bigint);" }, path: "migrations/0001_example.down.sql", note: "the down migration drops what the up created" }],
  },
  check(statement, { state }) {
    const { kind, ast } = statement;
    const what = KINDS[ast?.removeType];
    if (kind !== "DropStmt" || !what) return;
    const dropped = (ast.objects ?? []).map((o: any) => names(o.List?.items).join(".")).filter((t: string) => isExisting(state, t));
    if (!dropped.length) return;
    const cascade = ast.behavior === "DROP_CASCADE";
    // A materialized view's rows come from its query: dropping it loses no data, it breaks its readers.
    const loss = ast.removeType === "OBJECT_MATVIEW" ? "breaks every query that still reads it (its rows are derived: no data is lost)" : "deletes its data for good";
    return {
      message: `Dropping ${what} ${dropped.map((t: string) => `\`${t}\``).join(", ")} ${loss}${cascade ? ", and CASCADE silently drops every view and foreign key that depends on it" : ""}.`,
      severity: cascade ? "error" : undefined,
      locks: dropped.map((t: string) => lock(t, "ACCESS EXCLUSIVE")),
      help: "Make sure no code uses it any more (deploy first), keep a backup, and drop without CASCADE.",
    };
  },
};

export default rule;
