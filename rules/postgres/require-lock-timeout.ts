import type { Rule } from "../../src/core/analyze/rule.js";
import { hasLockTimeout } from "../../src/core/analyze/state.js";
import { blockingLocksOnExisting, timeoutRemedy } from "./_pg.js";

const rule: Rule = {
  id: "require-lock-timeout",
  title: "Traffic-blocking lock requested without a lock_timeout",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "A statement that needs a lock conflicting with normal traffic (SHARE or stronger: ALTER TABLE, CREATE INDEX, DROP, …) first waits for every running transaction on the table. While it waits, every new query on the table queues behind it — even if the statement itself would take a millisecond. A long report query or an idle-in-transaction session turns that into an outage. `lock_timeout` makes the migration give up instead (and retry), so traffic keeps flowing. Reported once per file, at the first such statement; `SET lock_timeout = 0` counts as unset.",
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "none",
    safeAlternative: [
      "1. Start the migration with `SET lock_timeout = '2s';` (or `SET LOCAL` inside the transaction).",
      "2. Retry the migration when it times out (most tools can: strong_migrations `lock_timeout_retries`, a CI retry loop).",
      "3. Optionally set it on the migration role: `ALTER ROLE migrator SET lock_timeout = '2s';`.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY);",
    bad: [
      "ALTER TABLE orders ADD COLUMN note text;",
      "SET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN note text;",
      { sql: "ALTER TABLE orders ADD COLUMN note text;", path: "db/migrations/000002_add_note.up.sql", note: "golang-migrate: the SET fix makes two statements in one query, which is harmless here" },
      {
        sql: "CREATE INDEX orders_id_idx ON orders (id);",
        path: "db/migrations/000002_index_orders.up.sql",
        note: "golang-migrate: a SET added above would break the CONCURRENTLY rewrite, so the help says to set it on the role",
      },
    ],
    good: [
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;",
      "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;",
      "CREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN note text;",
      "CREATE INDEX CONCURRENTLY orders_id_idx ON orders (id);",
    ],
  },
  check(statement, context) {
    const { state, script } = context;
    if (hasLockTimeout(state) || state.blockingLockWithoutTimeout) return;
    const blocking = blockingLocksOnExisting(statement, state);
    if (!blocking.length) return;
    const first = blocking[0]!;
    const remedy = timeoutRemedy(statement, context, "lock_timeout", "2s");
    return {
      message: `No lock_timeout is set before this statement requests ${first.mode} on \`${first.relation}\`: while it waits for running transactions, every query on \`${first.relation}\` queues behind it.`,
      locks: blocking,
      fix: remedy.fix,
      help: remedy.note ?? "Set lock_timeout (e.g. '2s') at the top of the migration and retry on timeout.",
    };
  },
};

export default rule;
