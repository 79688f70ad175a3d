import type { Rule } from "../../src/core/analyze/rule.js";
import { relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { isExisting, lock } from "./_pg.js";

const rule: Rule = {
  id: "rename-table",
  title: "Renaming a table that running code uses",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "Renaming a table is instant (a brief ACCESS EXCLUSIVE lock), but every running application instance that still uses the old name fails until it is redeployed, and so do rollbacks of the code.",
    locks: [{ on: "renamed table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "metadata only",
    safeAlternative: [
      "1. Rename the table and, in the same transaction, `CREATE VIEW <old_name> AS SELECT * FROM <new_name>;` (a simple view is updatable, so old code keeps reading and writing).",
      "2. Deploy code that uses the new name.",
      "3. Drop the compatibility view in a later migration.",
      "Or use expand–contract: create the new table, dual-write, backfill, switch reads, drop the old table.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY);",
    bad: ["ALTER TABLE orders RENAME TO purchases;"],
    good: [
      "BEGIN;\nALTER TABLE orders RENAME TO purchases;\nCREATE VIEW orders AS SELECT * FROM purchases;\nCOMMIT;",
      "CREATE TABLE drafts (id bigint);\nALTER TABLE drafts RENAME TO notes;",
    ],
  },
  check(statement, { state, script }) {
    const { kind, ast } = statement;
    if (kind !== "RenameStmt" || ast.renameType !== "OBJECT_TABLE") return;
    const table = relationName(ast.relation);
    if (!isExisting(state, table)) return;
    // A view with the old name created right after keeps old code working.
    const bare = stripPublic(table);
    const shim = script.statements
      .slice(statement.index + 1, statement.index + 4)
      .some((s) => s.kind === "ViewStmt" && stripPublic(relationName(s.ast.view)) === bare);
    if (shim) return;
    return {
      message: `Renaming \`${table}\` to \`${ast.newname}\` breaks every running query that still uses the old name until all application instances are redeployed.`,
      locks: [lock(table, "ACCESS EXCLUSIVE")],
      help: `Create a view named ${table} over ${ast.newname} in the same transaction, or use expand–contract.`,
    };
  },
};

export default rule;
