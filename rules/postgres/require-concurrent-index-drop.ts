import type { Rule } from "../../src/core/analyze/rule.js";
import { names } from "../../src/core/analyze/pg-ast.js";
import { indexTableOf } from "../../src/core/analyze/state.js";
import { concurrentRewriteHelp, concurrentRewriteRuns, insertAfterMatch, isExisting, lock } from "./_pg.js";

const SETUP = "CREATE TABLE orders (id bigint PRIMARY KEY, status text); CREATE INDEX orders_status_idx ON orders (status);";

const rule: Rule = {
  id: "require-concurrent-index-drop",
  title: "DROP INDEX without CONCURRENTLY",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "`DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table. The drop itself is quick, but the lock request waits behind every running query on the table, and every query that arrives meanwhile queues behind it: a long report query turns a millisecond drop into an outage.",
    locks: [{ on: "table of the index", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "metadata only",
    versions: "`DROP INDEX CONCURRENTLY` exists in every supported version (9.2+); it drops one index at a time and takes no CASCADE.",
    safeAlternative: [
      "1. Use `DROP INDEX CONCURRENTLY IF EXISTS <index>;` (SHARE UPDATE EXCLUSIVE: reads and writes continue).",
      "2. Run it outside a transaction block (CONCURRENTLY cannot run inside one).",
      "3. One index per statement; drop dependent constraints first if the index backs one.",
    ].join("\n"),
  },
  examples: {
    setup: SETUP,
    bad: [
      "DROP INDEX orders_status_idx;",
      { sql: "DROP INDEX orders_status_idx;", path: "prisma/migrations/20240102000000_drop_status_idx/migration.sql", note: "Prisma runs a single-statement migration.sql outside a transaction: the rewrite is offered" },
    ],
    good: [
      {
        sql: "ALTER TABLE orders ADD COLUMN note text;\nDROP INDEX orders_status_idx;",
        config: { transaction: "per-file" },
        files: { "migrations/0000_orders.sql": SETUP },
        base: { "migrations/0000_orders.sql": SETUP },
        note: "the transaction already holds ACCESS EXCLUSIVE on orders: the drop blocks nobody new (and CONCURRENTLY cannot run in it)",
      },
      "DROP INDEX CONCURRENTLY orders_status_idx;",
      "CREATE TABLE drafts (id bigint, title text);\nCREATE INDEX drafts_title_idx ON drafts (title);\nDROP INDEX drafts_title_idx;",
    ],
  },
  check(statement, context) {
    const { state } = context;
    const { kind, ast } = statement;
    if (kind !== "DropStmt" || ast.removeType !== "OBJECT_INDEX" || ast.concurrent) return;
    const indexes = (ast.objects ?? []).map((o: any) => names(o.List?.items).join("."));
    const tableOf = indexTableOf(state);
    // The index's table already held ACCESS EXCLUSIVE by this transaction: the drop blocks nobody new.
    const existing = indexes.filter((i: string) => isExisting(state, i) && state.heldLocks.get(tableOf(i) ?? i) !== "ACCESS EXCLUSIVE");
    if (!existing.length) return;
    const runs = concurrentRewriteRuns(statement, context);
    const mechanical = runs && indexes.length === 1 && ast.behavior !== "DROP_CASCADE";
    const edit = mechanical ? insertAfterMatch(statement, /\bINDEX\b/i, " CONCURRENTLY") : undefined;
    return {
      message: `Dropping ${existing.map((i: string) => `\`${i}\``).join(", ")} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table: it waits behind running queries and blocks every read and write queued after it.`,
      locks: existing.map((i: string) => lock(tableOf(i) ?? i, "ACCESS EXCLUSIVE")),
      fix: edit && { description: "Drop the index concurrently", edits: [edit] },
      help: runs ? undefined : concurrentRewriteHelp(context),
    };
  },
};

export default rule;
