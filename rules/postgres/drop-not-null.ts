import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { existingAlteredTable, lock } from "./_pg.js";

const rule: Rule = {
  id: "drop-not-null",
  title: "Dropping NOT NULL from a column",
  dialects: ["postgres"],
  severity: "info",
  docs: {
    why: "`ALTER COLUMN … DROP NOT NULL` is instant, but it loosens a contract: code and reports that assume the column is always set start seeing NULLs, and the down migration's SET NOT NULL fails (and scans under ACCESS EXCLUSIVE) once NULLs were written.",
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "metadata only",
    safeAlternative: [
      "1. Check that every reader handles NULL (application, reports, exports).",
      "2. Make sure the rollback plan does not rely on SET NOT NULL succeeding.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);",
    bad: ["ALTER TABLE orders ALTER COLUMN status DROP NOT NULL;"],
    good: [
      "CREATE TABLE drafts (id bigint, title text NOT NULL);\nALTER TABLE drafts ALTER COLUMN title DROP NOT NULL;",
      // Already nullable in the history: nothing changes.
      "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ALTER COLUMN note DROP NOT NULL;",
    ],
  },
  check(statement, { state }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    // A column the history defines without NOT NULL is already nullable: DROP NOT NULL is a no-op
    // (ORMs emit it on every column change, e.g. Sequelize's changeColumn).
    const alreadyNullable = (column: string) => {
      const key = `${stripPublic(table)}.${column}`;
      return state.columnTypes.has(key) && !state.notNullColumns.has(key);
    };
    return alterCommands(statement.ast)
      .filter((c) => c.subtype === "AT_DropNotNull" && !alreadyNullable(c.name))
      .map((c) => ({
        message: `\`${table}.${c.name}\` may now be NULL: readers that assume a value and a rollback's SET NOT NULL can fail.`,
        locks: [lock(table, "ACCESS EXCLUSIVE")],
      }));
  },
};

export default rule;
