import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands } from "../../src/core/analyze/pg-ast.js";
import { reindexConcurrent } from "../../src/core/analyze/pg-locks.js";
import type { Statement } from "../../src/core/parse/index.js";
import { nonTransactionalReason } from "../../src/core/analyze/transaction.js";

/** What the statement does that cannot run in a transaction block (ADD VALUE has a rule of its own). */
function nonTransactionalOperation(statement: Statement, postgresVersion: number): string | undefined {
  if (statement.kind === "AlterEnumStmt") return undefined;
  if (statement.kind === "ReindexStmt" && reindexConcurrent(statement.ast)) return "REINDEX CONCURRENTLY";
  if (statement.kind === "AlterTableStmt" && alterCommands(statement.ast).some((c) => c.subtype === "AT_DetachPartition" && c.def?.PartitionCmd?.concurrent)) {
    return "DETACH PARTITION CONCURRENTLY";
  }
  return nonTransactionalReason(statement, postgresVersion);
}

const rule: Rule = {
  id: "concurrently-in-transaction",
  title: "A CONCURRENTLY operation (or another statement that refuses one) inside a transaction block",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX CONCURRENTLY`, `DETACH PARTITION CONCURRENTLY` (and `VACUUM`, `CREATE DATABASE`, `ALTER SYSTEM`, `REINDEX SCHEMA|DATABASE|SYSTEM`, `DISCARD ALL`) cannot run inside a transaction block: PostgreSQL rejects them (`cannot run inside a transaction block`) and the migration fails. A transaction block is not only an explicit BEGIN: it is also the transaction a tool opens around every file (dbmate, diesel, sqlx, goose, Flyway for transactional scripts), and a file the tool sends as one query of several statements (golang-migrate, Prisma, dbmate and diesel even with their transaction turned off), which PostgreSQL runs as one implicit transaction. A file sent as one query that holds only the one statement runs outside any block and is fine. Flyway refuses a script that mixes such a statement with transactional ones (unless `mixed` is set).",
    locks: [],
    work: "none",
    versions: "REINDEX CONCURRENTLY exists since PostgreSQL 12, DETACH PARTITION CONCURRENTLY since 14.",
    safeAlternative: [
      "1. Put the CONCURRENTLY statement alone in a migration of its own: golang-migrate and Prisma then send it as a single-statement query, which runs outside a transaction block; Flyway runs such a script without its transaction by itself.",
      "2. Where the tool wraps files in a transaction, turn that off for this migration: dbmate `-- migrate:up transaction:false`; diesel `run_in_transaction = false` in metadata.toml; Flyway `executeInTransaction=false` in `<script>.sql.conf`; Rails `disable_ddl_transaction!`.",
      "3. Remove any explicit BEGIN/COMMIT around it.",
      "4. Make it re-runnable (`IF NOT EXISTS`): a failed concurrent build leaves an INVALID index to drop.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text);",
    bad: [
      "BEGIN;\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\nCOMMIT;",
      { sql: "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);", config: { transaction: "per-file" }, note: "the tool wraps the file in a transaction" },
      { sql: "DROP INDEX CONCURRENTLY orders_customer_idx;", config: { transaction: "per-file" } },
      {
        sql: "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);",
        path: "db/migrations/000002_index_orders.up.sql",
        note: "golang-migrate sends the file as one query: two statements form one transaction block",
      },
      {
        sql: "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
        path: "prisma/migrations/20240102000000_index_orders/migration.sql",
        note: "Prisma sends migration.sql as one query",
      },
      {
        sql: "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n\n-- migrate:down\n",
        path: "db/migrations/20240102000000_index_orders.sql",
        note: "dbmate without its transaction still sends the section as one query",
      },
      {
        sql: "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
        path: "src/main/resources/db/migration/V2__index_orders.sql",
        note: "Flyway refuses a script mixing transactional and non-transactional statements",
      },
      {
        sql: "REINDEX INDEX CONCURRENTLY orders_pkey;",
        path: "src/main/resources/db/migration/V2__reindex_orders.sql",
        note: "Flyway does not recognise REINDEX … CONCURRENTLY and runs it in its transaction",
      },
      { sql: "VACUUM orders;", config: { transaction: "per-file" } },
    ],
    good: [
      "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
      "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
      {
        sql: "-- build the index online\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
        path: "db/migrations/000002_index_orders.up.sql",
        note: "golang-migrate: a single-statement file runs outside any transaction block",
      },
      { sql: "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);", path: "prisma/migrations/20240102000000_index_orders/migration.sql" },
      {
        sql: "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\n\n-- migrate:down\nDROP INDEX CONCURRENTLY orders_customer_idx;\n",
        path: "db/migrations/20240102000000_index_orders.sql",
      },
      {
        sql: "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
        path: "db/migrations/000002_index_orders.up.sql",
        config: { delivery: "per-statement" },
        note: "golang-migrate with x-multi-statement=true sends statement after statement",
      },
      { sql: "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);", path: "src/main/resources/db/migration/V2__index_orders.sql" },
      {
        sql: "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
        path: "src/main/resources/db/migration/V2__index_orders.sql",
        config: { flyway: { mixed: true } },
      },
      { sql: "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);", path: "deploy/index_orders.sql", files: { "sqitch.plan": "%project=shop\n\nindex_orders 2024-01-02T00:00:00Z Dev <dev@example.com> # index orders\n" } },
    ],
  },
  check(statement, { state, transaction }) {
    const operation = nonTransactionalOperation(statement, state.postgresVersion);
    if (!operation) return;
    if (transaction.refusal?.statementIndex === statement.index) {
      return {
        message: `${transaction.refusal.message}.`,
        help: `Move ${operation} into a migration of its own (Flyway then runs it without a transaction), set \`executeInTransaction=false\` in \`<script>.sql.conf\`, or set Flyway's \`mixed\` (and \`flyway: { mixed: true }\` here) to run the whole script without a transaction.`,
      };
    }
    if (!state.inTransaction) return;
    const message = state.explicitTransaction
      ? `${operation} cannot run inside the explicit BEGIN … COMMIT block: PostgreSQL rejects it and the migration fails.`
      : `${operation} fails here: ${transaction.how}, and PostgreSQL rejects ${operation} inside a transaction block.`;
    return {
      message,
      help: state.explicitTransaction
        ? `End the transaction (COMMIT) before this statement, or move it into a migration of its own${transaction.oneQuery ? ` (${transaction.outsideTransaction})` : ""}.`
        : `To run it outside a transaction block, ${transaction.outsideTransaction}.`,
    };
  },
};

export default rule;
