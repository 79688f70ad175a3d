import type { Rule } from "../../src/core/analyze/rule.js";
import type { ParsedScript } from "../../src/core/parse/index.js";
import { blockingLocksOnExisting, timeoutRemedy } from "./_pg.js";

/**
 * The statement each script is reported at (the first that qualifies). Statements are checked in
 * order, so remembering it per script keeps the rule to one finding per file without adding a
 * field to the shared analysis state.
 */
const reportedAt = new WeakMap<ParsedScript, number>();

const rule: Rule = {
  id: "require-statement-timeout",
  title: "Traffic-blocking lock held with no statement_timeout",
  dialects: ["postgres"],
  severity: "warning",
  optIn: true,
  docs: {
    why: "`lock_timeout` bounds the wait *for* a lock; nothing bounds how long the statement then *holds* it. A rewrite, scan or index build that turns out slower than expected keeps reads and writes blocked until it ends. `statement_timeout` makes PostgreSQL cancel it (and roll back) instead, so an outage has an upper bound. Reported once per file, at the first statement that takes a SHARE-or-stronger lock on an existing table while no positive `statement_timeout` is set. Opt-in (squawk `require-statement-timeout`): the right value depends on the table sizes.",
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "none",
    safeAlternative: [
      "1. Start the migration with `SET statement_timeout = '5s';` (or `SET LOCAL` inside the transaction), sized to what the table can afford.",
      "2. For work that legitimately takes longer, use the online form (CONCURRENTLY, NOT VALID + VALIDATE, batched backfill) instead of raising the timeout.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, note text);",
    bad: ["ALTER TABLE orders ADD CONSTRAINT orders_note_present CHECK (note IS NOT NULL);", "SET statement_timeout = 0;\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;"],
    good: [
      "SET statement_timeout = '5s';\nALTER TABLE orders ADD CONSTRAINT orders_note_present CHECK (note IS NOT NULL);",
      "BEGIN;\nSET LOCAL statement_timeout = '5s';\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\nCOMMIT;",
      "CREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN note text;",
      { sql: "CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);", note: "SHARE UPDATE EXCLUSIVE does not block reads or writes" },
    ],
  },
  check(statement, context) {
    const { state, script } = context;
    const earlier = reportedAt.get(script);
    // An earlier statement of this pass was reported; a smaller index means a new pass started.
    if (earlier !== undefined && earlier < statement.index) return;
    if (state.statementTimeoutMs !== undefined && state.statementTimeoutMs > 0) return;
    const blocking = blockingLocksOnExisting(statement, state);
    if (!blocking.length) return;
    reportedAt.set(script, statement.index);
    const first = blocking[0]!;
    const remedy = timeoutRemedy(statement, context, "statement_timeout", "5s");
    return {
      message: `No statement_timeout is set while this statement holds ${first.mode} on \`${first.relation}\`: if it runs long, reads and writes stay blocked until it ends.`,
      locks: blocking,
      fix: remedy.fix,
      help: remedy.note ?? "Set statement_timeout at the top of the migration; use the online form for long work.",
    };
  },
};

export default rule;
