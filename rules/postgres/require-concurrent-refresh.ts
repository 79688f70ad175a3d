import type { Rule } from "../../src/core/analyze/rule.js";
import { relationName } from "../../src/core/analyze/pg-ast.js";
import { insertAfterMatch, isExisting, lock, SIZE_NOTE, sizedSeverity } from "./_pg.js";

const rule: Rule = {
  id: "require-concurrent-refresh",
  title: "REFRESH MATERIALIZED VIEW without CONCURRENTLY",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: `A plain \`REFRESH MATERIALIZED VIEW\` recomputes the view under an ACCESS EXCLUSIVE lock: every query reading it waits for the whole refresh. \`CONCURRENTLY\` takes an EXCLUSIVE lock instead (reads continue) by diffing the new result into the old one; it needs a UNIQUE index on the view and a view that is already populated.\n\n${SIZE_NOTE}`,
    locks: [{ on: "materialized view", mode: "ACCESS EXCLUSIVE", relation: "order_totals" }],
    work: "rewrite",
    versions: "CONCURRENTLY exists since PostgreSQL 9.4 and may run inside a transaction block.",
    safeAlternative: [
      "1. Make sure the view has a UNIQUE index on plain columns (`CREATE UNIQUE INDEX CONCURRENTLY … ON <view> (<key>)`).",
      "2. `REFRESH MATERIALIZED VIEW CONCURRENTLY <view>;` (EXCLUSIVE: reads continue, a second refresh waits).",
      "3. The first population (`WITH NO DATA` views) must be a plain REFRESH: do it before the view is read.",
    ].join("\n"),
  },
  examples: {
    setup:
      "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric); CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id; CREATE UNIQUE INDEX order_totals_customer ON order_totals (customer_id);",
    bad: ["REFRESH MATERIALIZED VIEW order_totals;"],
    good: [
      "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;",
      "CREATE MATERIALIZED VIEW daily AS SELECT 1 AS one WITH NO DATA;\nREFRESH MATERIALIZED VIEW daily;",
      "REFRESH MATERIALIZED VIEW order_totals WITH NO DATA;",
    ],
  },
  check(statement, { state, config }) {
    if (statement.kind !== "RefreshMatViewStmt" || statement.ast.concurrent || statement.ast.skipData) return;
    const view = relationName(statement.ast.relation);
    if (!isExisting(state, view)) return;
    const edit = insertAfterMatch(statement, /\bVIEW\b/i, " CONCURRENTLY");
    return {
      message: `Refreshing \`${view}\` without CONCURRENTLY blocks every read of it until the refresh ends.`,
      severity: sizedSeverity(config, view, "warning"),
      locks: [lock(view, "ACCESS EXCLUSIVE")],
      fix: edit && { description: "Refresh concurrently (needs a UNIQUE index on the view)", edits: [edit] },
      help: "CONCURRENTLY needs a unique index on the materialized view.",
    };
  },
};

export default rule;
