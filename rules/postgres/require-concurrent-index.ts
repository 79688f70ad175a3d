import type { Rule } from "../../src/core/analyze/rule.js";
import { relationName } from "../../src/core/analyze/pg-ast.js";
import { insertAfterMatch, isExisting, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

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
      "2. Run it outside a transaction: it cannot run inside one (configure your tool: dbmate `-- migrate:up transaction:false`, a separate Flyway migration, `disable_ddl_transaction!`).",
      "3. If the build fails it leaves an INVALID index: `DROP INDEX CONCURRENTLY` it and retry.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);",
    bad: [
      "CREATE INDEX orders_customer_idx ON orders (customer_id);",
      "CREATE UNIQUE INDEX orders_customer_key ON public.orders USING btree (customer_id);",
    ],
    good: [
      "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
      "CREATE TABLE invoices (id bigint, customer_id bigint);\nCREATE INDEX invoices_customer_idx ON invoices (customer_id);",
    ],
  },
  check(statement, { state, config }) {
    if (statement.kind !== "IndexStmt" || statement.ast.concurrent) return;
    const table = relationName(statement.ast.relation);
    if (!isExisting(state, table)) return;
    const fix = state.inTransaction ? undefined : insertAfterMatch(statement, /\bINDEX\b/i, " CONCURRENTLY");
    return {
      message: `Creating an index on \`${table}\`${sizeHint(config, table)} without CONCURRENTLY blocks all writes to it until the build finishes.`,
      severity: sizedSeverity(config, table, "error"),
      locks: [lock(table, "SHARE")],
      fix: fix && { description: "Build the index concurrently", edits: [fix] },
      help: state.inTransaction
        ? "This file runs in a transaction, where CONCURRENTLY is not allowed: move the index into a migration that runs outside one."
        : undefined,
    };
  },
};

export default rule;
