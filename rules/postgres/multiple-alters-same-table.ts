import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { existingAlteredTable } from "./_pg.js";

const SEPARATE_BY_DESIGN = new Set(["AT_ValidateConstraint", "AT_DropConstraint"]);

const rule: Rule = {
  id: "multiple-alters-same-table",
  title: "Several ALTER TABLE statements on one table in one transaction",
  dialects: ["postgres"],
  severity: "info",
  docs: {
    why: "Each ALTER TABLE on an existing table queues for its lock again and may scan or rewrite the table again; inside one transaction the strongest lock is held across all of them. One ALTER TABLE with comma-separated subcommands takes the lock once and does at most one scan/rewrite. VALIDATE CONSTRAINT and DROP CONSTRAINT steps, which recipes keep separate on purpose, are not counted.",
    locks: [],
    work: "none",
    safeAlternative: "1. Combine the subcommands: `ALTER TABLE <table> ADD COLUMN a int, ADD COLUMN b text, ALTER COLUMN c SET DEFAULT 0;`.",
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY);",
    bad: [{ sql: "ALTER TABLE orders ADD COLUMN region text;\nALTER TABLE orders ADD COLUMN tier text;", config: { transaction: "per-file" } }],
    good: [
      { sql: "ALTER TABLE orders ADD COLUMN region text, ADD COLUMN tier text;", config: { transaction: "per-file" } },
      "ALTER TABLE orders ADD COLUMN region text;\nALTER TABLE orders ADD COLUMN tier text;",
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_id_nn CHECK (id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_id_nn;",
        config: { transaction: "per-file" },
      },
    ],
  },
  check(statement, { state }) {
    if (!state.inTransaction) return;
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    if (alterCommands(statement.ast).every((c) => SEPARATE_BY_DESIGN.has(c.subtype))) return;
    const earlier = state.altersInScript.get(stripPublic(table)) ?? 0;
    if (earlier < 1) return;
    return {
      message: `\`${table}\` was already altered ${earlier === 1 ? "once" : `${earlier} times`} in this transaction: combine the ALTER TABLE statements into one so the lock is taken once and the table scanned at most once.`,
    };
  },
};

export default rule;
