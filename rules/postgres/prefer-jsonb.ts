import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands } from "../../src/core/analyze/pg-ast.js";
import { baseTypeName } from "./_pg.js";

const rule: Rule = {
  id: "prefer-jsonb",
  title: "New json column (use jsonb)",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "The `json` type stores the text as given and has no equality operator: `SELECT DISTINCT`, `GROUP BY`, `UNION` and unique indexes over it fail, and every access re-parses the text. `jsonb` is what applications almost always want; changing the type later rewrites the table.",
    locks: [],
    work: "none",
    safeAlternative: "1. Declare the column as `jsonb`.",
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY);",
    bad: ["ALTER TABLE orders ADD COLUMN payload json;", "CREATE TABLE events (id bigint, payload json);"],
    good: ["ALTER TABLE orders ADD COLUMN payload jsonb;"],
  },
  check(statement) {
    const columns: any[] = [];
    if (statement.kind === "CreateStmt") columns.push(...(statement.ast.tableElts ?? []).map((e: any) => e.ColumnDef).filter(Boolean));
    if (statement.kind === "AlterTableStmt") {
      for (const c of alterCommands(statement.ast)) {
        if (c.subtype === "AT_AddColumn") columns.push(c.def?.ColumnDef);
        if (c.subtype === "AT_AlterColumnType") columns.push({ colname: c.name, typeName: c.def?.ColumnDef?.typeName });
      }
    }
    return columns
      .filter((c) => c && baseTypeName(c.typeName) === "json")
      .map((c) => ({ message: `Column \`${c.colname}\` is \`json\`: it has no equality operator and is re-parsed on every access; use \`jsonb\`.` }));
  },
};

export default rule;
