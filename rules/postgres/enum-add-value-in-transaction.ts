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
      "1. Put the ADD VALUE in a migration of its own that the tool runs outside a transaction (dbmate `transaction:false`, Flyway `executeInTransaction=false`).",
      "2. Use the new value only in later migrations.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TYPE order_status AS ENUM ('new', 'done');",
    bad: [
      { sql: "ALTER TYPE order_status ADD VALUE 'cancelled';", config: { postgres_version: 11, transaction: "per-file" } },
      { sql: "BEGIN;\nALTER TYPE order_status ADD VALUE 'cancelled';\nCOMMIT;", config: { postgres_version: 10 } },
    ],
    good: [
      { sql: "ALTER TYPE order_status ADD VALUE 'cancelled';", config: { postgres_version: 11 } },
      { sql: "ALTER TYPE order_status ADD VALUE 'cancelled';", config: { postgres_version: 12, transaction: "per-file" } },
    ],
  },
  check(statement, { state }) {
    if (statement.kind !== "AlterEnumStmt" || !statement.ast.newVal || statement.ast.oldVal) return;
    if (!state.inTransaction || state.postgresVersion >= 12) return;
    return {
      message: `PostgreSQL ${state.postgresVersion} cannot run ALTER TYPE ${names(statement.ast.typeName).join(".")} ADD VALUE inside a transaction block: the migration fails.`,
      help: "Run it in a migration without a transaction, or upgrade to PostgreSQL 12+.",
    };
  },
};

export default rule;
