import type { Rule } from "../../src/core/analyze/rule.js";
import { relationName } from "../../src/core/analyze/pg-ast.js";
import { concurrentRewriteHelp, concurrentRewriteRuns, insertAfterMatch, isExisting, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const rule: Rule = {
  id: "require-concurrent-index",
  title: "CREATE INDEX without CONCURRENTLY on an existing table",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `\`CREATE INDEX\` holds a SHARE lock on the table for the whole build: reads continue, but every INSERT, UPDATE and DELETE waits until the index is built, which on a large table takes minutes.\n\n${SIZE_NOTE}`,
    locks: [{ on: "indexed table", mode: "SHARE", relation: "orders" }],
    work: "scan and index build",
    versions:
      "CONCURRENTLY exists in every supported version; REINDEX CONCURRENTLY since PostgreSQL 12. PostgreSQL 14.0–14.3 could silently corrupt indexes built concurrently: run 14.4 or later.",
    safeAlternative: [
      "1. Build the index with `CREATE INDEX CONCURRENTLY` (SHARE UPDATE EXCLUSIVE: reads and writes continue).",
      "2. Run it outside a transaction block: it cannot run inside one. golang-migrate and Prisma: alone in its migration file (a single-statement file runs outside a transaction); dbmate: alone in a `-- migrate:up transaction:false` migration; Flyway: alone in its migration (Flyway then skips its transaction); Rails: `disable_ddl_transaction!`.",
      "3. If the build fails it leaves an INVALID index: `DROP INDEX CONCURRENTLY` it and retry.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);",
    bad: [
      "CREATE INDEX orders_customer_idx ON orders (customer_id);",
      { sql: "CREATE INDEX orders_customer_idx ON orders (customer_id);", path: "db/migrations/000002_index_orders.up.sql", note: "golang-migrate runs a single-statement file outside a transaction: the CONCURRENTLY rewrite is offered" },
      { sql: "CREATE INDEX orders_customer_idx ON orders (customer_id);", path: "src/main/resources/db/migration/V2__index_orders.sql", note: "Flyway runs a script holding only CREATE INDEX CONCURRENTLY without its transaction" },
      { sql: "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_customer_idx ON orders (customer_id);", path: "db/migrations/000002_index_orders.up.sql", note: "two statements in one query: no rewrite offered, the help says how" },
      "CREATE UNIQUE INDEX orders_customer_key ON public.orders USING btree (customer_id);",
    ],
    good: [
      "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
      { sql: "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);", path: "db/migrations/000002_index_orders.up.sql" },
      "CREATE TABLE invoices (id bigint, customer_id bigint);\nCREATE INDEX invoices_customer_idx ON invoices (customer_id);",
    ],
  },
  check(statement, context) {
    const { state, config } = context;
    if (statement.kind !== "IndexStmt" || statement.ast.concurrent) return;
    const table = relationName(statement.ast.relation);
    if (!isExisting(state, table)) return;
    // Offered where the tool would run the rewritten statement outside a transaction block.
    const runs = concurrentRewriteRuns(statement, context);
    const fix = runs ? insertAfterMatch(statement, /\bINDEX\b/i, " CONCURRENTLY") : undefined;
    return {
      message: `Creating an index on \`${table}\`${sizeHint(config, table)} without CONCURRENTLY blocks all writes to it until the build finishes.`,
      severity: sizedSeverity(config, table, "error"),
      locks: [lock(table, "SHARE")],
      fix: fix && { description: "Build the index concurrently", edits: [fix] },
      help: runs ? undefined : concurrentRewriteHelp(context),
    };
  },
};

export default rule;
