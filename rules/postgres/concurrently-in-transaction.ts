import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands } from "../../src/core/analyze/pg-ast.js";
import { reindexConcurrent } from "../../src/core/analyze/pg-locks.js";
import type { Statement } from "../../src/core/parse/index.js";

/** What the statement does concurrently, or undefined. */
function concurrentOperation(statement: Statement): string | undefined {
  const { kind, ast } = statement;
  if (kind === "IndexStmt" && ast.concurrent) return "CREATE INDEX CONCURRENTLY";
  if (kind === "DropStmt" && ast.concurrent) return "DROP INDEX CONCURRENTLY";
  if (kind === "ReindexStmt" && reindexConcurrent(ast)) return "REINDEX CONCURRENTLY";
  if (kind === "AlterTableStmt" && alterCommands(ast).some((c) => c.subtype === "AT_DetachPartition" && c.def?.PartitionCmd?.concurrent)) {
    return "DETACH PARTITION CONCURRENTLY";
  }
  return undefined;
}

const rule: Rule = {
  id: "concurrently-in-transaction",
  title: "A CONCURRENTLY operation inside a transaction",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX CONCURRENTLY` and `DETACH PARTITION CONCURRENTLY` cannot run inside a transaction block: PostgreSQL rejects them (`cannot run inside a transaction block`) and the migration fails. That includes the transaction many migration tools open around every file (Flyway, dbmate, golang-migrate's multi-statement files, Prisma), not only an explicit BEGIN.",
    locks: [],
    work: "none",
    versions: "REINDEX CONCURRENTLY exists since PostgreSQL 12, DETACH PARTITION CONCURRENTLY since 14.",
    safeAlternative: [
      "1. Put the CONCURRENTLY statement in a migration of its own.",
      "2. Tell the tool not to wrap that migration in a transaction: dbmate `-- migrate:up transaction:false`; Flyway `executeInTransaction=false` in a script config file; Rails `disable_ddl_transaction!`; golang-migrate: one statement per file.",
      "3. Remove any explicit BEGIN/COMMIT around it.",
      "4. Set `lock_timeout` before it and make it re-runnable (`IF NOT EXISTS`): a failed concurrent build leaves an INVALID index to drop.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);",
    bad: [
      "BEGIN;\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\nCOMMIT;",
      { sql: "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);", config: { transaction: "per-file" }, note: "the tool wraps the file in a transaction" },
      { sql: "DROP INDEX CONCURRENTLY orders_customer_idx;", config: { transaction: "per-file" } },
    ],
    good: [
      "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
      "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
    ],
  },
  check(statement, { state }) {
    if (!state.inTransaction) return;
    const operation = concurrentOperation(statement);
    if (!operation) return;
    const where = state.explicitTransaction ? "inside the explicit BEGIN … COMMIT block" : "inside the transaction the migration tool wraps this file in";
    return {
      message: `${operation} cannot run ${where}: PostgreSQL rejects it and the migration fails.`,
      help: state.explicitTransaction
        ? "End the transaction (COMMIT) before this statement, or move it into a migration of its own."
        : "Move this statement into a migration the tool runs without a transaction (e.g. dbmate `transaction:false`, Flyway `executeInTransaction=false`).",
    };
  },
};

export default rule;
