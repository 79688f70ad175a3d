import type { Rule } from "../../src/core/analyze/rule.js";
import { relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { isExisting, lock } from "./_pg.js";

const rule: Rule = {
  id: "rename-column",
  title: "Renaming a column that running code uses",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "Renaming a column is instant (a brief ACCESS EXCLUSIVE lock), but the application version that is still running during and after the deploy queries the old name and fails until every instance runs the new code. Rollbacks and replicas that lag behind break the same way.",
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "metadata only",
    safeAlternative: [
      "1. Add the new column (`ADD COLUMN <new> <type>`).",
      "2. Write both columns from the application (or a trigger).",
      "3. Backfill the new column in batches.",
      "4. Move reads to the new column and deploy.",
      "5. Stop writing the old column, then drop it in a later migration (expand–contract).",
      "Alternative for a quick switch: rename the column and create a view with the old name for old readers.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, state text);",
    bad: ["ALTER TABLE orders RENAME COLUMN state TO status;"],
    good: ["CREATE TABLE refunds (id bigint, state text);\nALTER TABLE refunds RENAME COLUMN state TO status;", "ALTER TABLE orders ADD COLUMN status text;"],
  },
  check(statement, { state }) {
    const { kind, ast } = statement;
    if (kind !== "RenameStmt" || ast.renameType !== "OBJECT_COLUMN" || ast.relationType !== "OBJECT_TABLE") return;
    const table = relationName(ast.relation);
    if (!isExisting(state, table) || state.columnsAddedInChange.has(`${stripPublic(table)}.${ast.subname}`)) return;
    return {
      message: `Renaming \`${table}.${ast.subname}\` to \`${ast.newname}\` breaks every running query that still uses the old name until all application instances are redeployed.`,
      locks: [lock(table, "ACCESS EXCLUSIVE")],
      help: "Use expand–contract: add the new column, dual-write, backfill, switch reads, then drop the old one.",
    };
  },
};

export default rule;
