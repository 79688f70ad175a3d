import type { Rule } from "../../src/core/analyze/rule.js";
import { names } from "../../src/core/analyze/pg-ast.js";

const rule: Rule = {
  id: "drop-database-or-schema",
  title: "Dropping a database or a schema",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "`DROP DATABASE` and `DROP SCHEMA` remove every object and all data inside them. In a migration this is almost always a mistake (a test helper, a reset script) and cannot be rolled back.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Keep environment resets out of migrations.",
      "2. If a schema is really retired: drop its tables in reviewed migrations first, then the empty schema without CASCADE.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE SCHEMA legacy; CREATE TABLE legacy.items (id bigint);",
    bad: ["DROP SCHEMA legacy CASCADE;", "DROP DATABASE reporting;"],
    good: ["CREATE SCHEMA scratch;\nDROP SCHEMA scratch;"],
  },
  check(statement, { state }) {
    const { kind, ast } = statement;
    if (kind === "DropdbStmt") {
      return { message: `DROP DATABASE \`${ast.dbname}\` deletes the whole database.` };
    }
    if (kind !== "DropStmt" || ast.removeType !== "OBJECT_SCHEMA") return;
    const schemas = (ast.objects ?? []).map((o: any) => o.String?.sval ?? names(o.List?.items).join(".")).filter((s: string) => !state.createdRelations.has(`schema:${s}`));
    if (!schemas.length) return;
    return {
      message: `DROP SCHEMA ${schemas.map((s: string) => `\`${s}\``).join(", ")}${ast.behavior === "DROP_CASCADE" ? " CASCADE deletes every object in it" : " removes the schema"}.`,
    };
  },
};

export default rule;
