import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, names } from "../../src/core/analyze/pg-ast.js";
import { existingAlteredTable, lock, notNullProven, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const rule: Rule = {
  id: "set-not-null",
  title: "SET NOT NULL on an existing column scans the table under ACCESS EXCLUSIVE",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `\`ALTER COLUMN … SET NOT NULL\` (and PostgreSQL 18's \`ADD CONSTRAINT … NOT NULL col\`) reads every row to prove there is no NULL, holding an ACCESS EXCLUSIVE lock: no reads or writes for the whole scan. From PostgreSQL 12 the scan is skipped when a validated \`CHECK (col IS NOT NULL)\` constraint already proves it.\n\n${SIZE_NOTE}`,
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "scan",
    versions:
      "PostgreSQL 12+ skips the scan when a valid CHECK (col IS NOT NULL) exists. PostgreSQL 18 adds `ADD CONSTRAINT <name> NOT NULL <col> NOT VALID` followed by `VALIDATE CONSTRAINT`. Before 12 there is no way to avoid the scan.",
    safeAlternative: [
      "1. `ALTER TABLE <table> ADD CONSTRAINT <table>_<col>_not_null CHECK (<col> IS NOT NULL) NOT VALID;` (instant).",
      "2. In a new transaction: `ALTER TABLE <table> VALIDATE CONSTRAINT <table>_<col>_not_null;` (scan under SHARE UPDATE EXCLUSIVE: reads and writes continue).",
      "3. `ALTER TABLE <table> ALTER COLUMN <col> SET NOT NULL;` — PostgreSQL 12+ uses the valid CHECK and skips the scan.",
      "4. `ALTER TABLE <table> DROP CONSTRAINT <table>_<col>_not_null;` (now redundant).",
      "PostgreSQL 18: `ADD CONSTRAINT <name> NOT NULL <col> NOT VALID`, then `VALIDATE CONSTRAINT <name>` in a new transaction.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, status text);",
    bad: [
      "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;",
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_status_nn;\nALTER TABLE orders ALTER COLUMN status SET NOT NULL;",
        config: { postgres_version: 11 },
        note: "PostgreSQL 11 ignores the CHECK and scans anyway",
      },
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_status_nn NOT NULL status;",
        config: { postgres_version: 18 },
        locks: [],
        note: "PostgreSQL 18 syntax: cannot run on the PostgreSQL 15 used to verify locks",
      },
    ],
    good: [
      "ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_status_nn;\nALTER TABLE orders ALTER COLUMN status SET NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_status_nn;",
      "CREATE TABLE refunds (id bigint, reason text);\nALTER TABLE refunds ALTER COLUMN reason SET NOT NULL;",
      { sql: "ALTER TABLE orders ADD CONSTRAINT orders_status_nn NOT NULL status NOT VALID;", config: { postgres_version: 18 } },
    ],
  },
  check(statement, { state, config }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    const columns: string[] = [];
    for (const cmd of alterCommands(statement.ast)) {
      if (cmd.subtype === "AT_SetNotNull") columns.push(cmd.name);
      const c = cmd.def?.Constraint;
      if (cmd.subtype === "AT_AddConstraint" && c?.contype === "CONSTR_NOTNULL" && !c.skip_validation) columns.push(...names(c.keys));
    }
    return columns
      .filter((column) => !notNullProven(state, table, column))
      .map((column) => ({
        message: `SET NOT NULL on \`${table}.${column}\`${sizeHint(config, table)} scans every row under an ACCESS EXCLUSIVE lock (no reads or writes meanwhile).`,
        severity: sizedSeverity(config, table, "error"),
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help:
          state.postgresVersion >= 12
            ? `Add CHECK (${column} IS NOT NULL) NOT VALID, VALIDATE it in a separate transaction, then SET NOT NULL skips the scan.`
            : `PostgreSQL ${state.postgresVersion} always scans for SET NOT NULL; the CHECK trick needs 12+. Keep the table small or accept a CHECK constraint instead.`,
      }));
  },
};

export default rule;
