import type { Rule } from "../../src/core/analyze/rule.js";
import { relationName } from "../../src/core/analyze/pg-ast.js";
import { isCreatedInChange } from "../../src/core/analyze/state.js";

const rule: Rule = {
  id: "require-concurrent-index",
  title: "CREATE INDEX without CONCURRENTLY on an existing table",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "`CREATE INDEX` holds a SHARE lock on the table for the whole build: reads continue, but every INSERT, UPDATE and DELETE waits until the index is built, which on a large table takes minutes.",
    locks: [{ on: "indexed table", mode: "SHARE" }],
    work: "scan and index build",
    versions: "CONCURRENTLY exists in every supported version; REINDEX CONCURRENTLY since PostgreSQL 12.",
    safeAlternative: [
      "1. Build the index with `CREATE INDEX CONCURRENTLY` (SHARE UPDATE EXCLUSIVE: reads and writes continue).",
      "2. Run it outside a transaction: it cannot run inside one (configure your tool: dbmate `-- migrate:up transaction:false`, a separate Flyway migration, `disable_ddl_transaction!`).",
      "3. If the build fails it leaves an INVALID index: `DROP INDEX CONCURRENTLY` it and retry.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);",
    bad: ["CREATE INDEX orders_customer_idx ON orders (customer_id);"],
    good: [
      "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
      "CREATE TABLE invoices (id bigint, customer_id bigint);\nCREATE INDEX invoices_customer_idx ON invoices (customer_id);",
    ],
  },
  check(statement, { state }) {
    if (statement.kind !== "IndexStmt" || statement.ast.concurrent) return;
    const table = relationName(statement.ast.relation);
    if (isCreatedInChange(state, table)) return;
    const keyword = /\bINDEX\b/i.exec(statement.text);
    return {
      message: `Creating an index on \`${table}\` without CONCURRENTLY blocks all writes to it until the build finishes.`,
      locks: [{ relation: table, mode: "SHARE" }],
      fix:
        keyword && !state.inTransaction
          ? {
              description: "Build the index concurrently",
              edits: [
                {
                  file: statement.span.file,
                  startOffset: statement.span.startOffset + keyword.index + keyword[0].length,
                  endOffset: statement.span.startOffset + keyword.index + keyword[0].length,
                  replacement: " CONCURRENTLY",
                },
              ],
            }
          : undefined,
      help: state.inTransaction
        ? "This file runs in a transaction, where CONCURRENTLY is not allowed: move the index into a migration that runs outside one."
        : undefined,
    };
  },
};

export default rule;
