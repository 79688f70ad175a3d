import type { Rule } from "../../src/core/analyze/rule.js";
import { names } from "../../src/core/analyze/pg-ast.js";

const rule: Rule = {
  id: "enum-add-value-in-transaction",
  title: "ALTER TYPE … ADD VALUE inside a transaction before PostgreSQL 12",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "Before PostgreSQL 12, `ALTER TYPE … ADD VALUE` cannot run inside a transaction block: the migration fails with `ALTER TYPE ... ADD cannot run inside a transaction block` — including the transaction the migration tool opens around each file. From 12 it may run in a transaction, but the new value cannot be used until that transaction commits.",
    locks: [],
    work: "metadata only",
    versions: "Allowed in a transaction block since PostgreSQL 12 (the new value is usable only after COMMIT).",
    safeAlternative: [
      "1. Put the ADD VALUE alone in a migration of its own that the tool runs outside a transaction block (golang-migrate and Prisma: a single-statement file already is; dbmate `transaction:false`; Flyway recognises it on PostgreSQL before 12 and runs such a script without its transaction).",
      "2. Use the new value only in later migrations.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TYPE order_status AS ENUM ('new', 'done');",
    bad: [
      { sql: "ALTER TYPE order_status ADD VALUE 'cancelled';", config: { postgres_version: 11, transaction: "per-file" } },
      { sql: "BEGIN;\nALTER TYPE order_status ADD VALUE 'cancelled';\nCOMMIT;", config: { postgres_version: 10 } },
      {
        sql: "ALTER TYPE order_status ADD VALUE 'cancelled';\nALTER TYPE order_status ADD VALUE 'refunded';",
        path: "db/migrations/000002_more_statuses.up.sql",
        config: { postgres_version: 11 },
        note: "golang-migrate sends both statements as one query: one transaction block",
      },
    ],
    good: [
      { sql: "ALTER TYPE order_status ADD VALUE 'cancelled';", config: { postgres_version: 11 } },
      { sql: "ALTER TYPE order_status ADD VALUE 'cancelled';", config: { postgres_version: 12, transaction: "per-file" } },
      { sql: "ALTER TYPE order_status ADD VALUE 'cancelled';", path: "db/migrations/000002_cancelled.up.sql", config: { postgres_version: 11 }, note: "a single-statement golang-migrate file runs outside any transaction block" },
      { sql: "ALTER TYPE order_status ADD VALUE 'cancelled';", path: "src/main/resources/db/migration/V2__cancelled.sql", config: { postgres_version: 11 }, note: "Flyway runs this script without its transaction before PostgreSQL 12" },
    ],
  },
  check(statement, { state, transaction }) {
    if (statement.kind !== "AlterEnumStmt" || !statement.ast.newVal || statement.ast.oldVal) return;
    if (!state.inTransaction || state.postgresVersion >= 12) return;
    return {
      message: `PostgreSQL ${state.postgresVersion} cannot run ALTER TYPE ${names(statement.ast.typeName).join(".")} ADD VALUE inside a transaction block: the migration fails.`,
      help: state.explicitTransaction
        ? "Move it out of the BEGIN … COMMIT block into a migration of its own, or upgrade to PostgreSQL 12+."
        : `To run it outside a transaction block, ${transaction.outsideTransaction}; or upgrade to PostgreSQL 12+.`,
    };
  },
};

export default rule;
