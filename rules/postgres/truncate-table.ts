import type { Rule } from "../../src/core/analyze/rule.js";
import { relationName } from "../../src/core/analyze/pg-ast.js";
import { isExisting, lock } from "./_pg.js";

const rule: Rule = {
  id: "truncate-table",
  title: "TRUNCATE of an existing table",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "`TRUNCATE` deletes every row instantly and cannot be undone by a down migration; it takes an ACCESS EXCLUSIVE lock. With CASCADE it also empties every table that references it through a foreign key — often far more data than intended.",
    locks: [{ on: "truncated table", mode: "ACCESS EXCLUSIVE", relation: "sessions" }],
    work: "rewrite",
    safeAlternative: [
      "1. Make sure the data is really disposable (or back it up first).",
      "2. Name every table explicitly instead of CASCADE.",
      "3. For large deletes that must keep other data, delete in batches instead.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE sessions (id bigint PRIMARY KEY);",
    bad: ["TRUNCATE sessions;", { sql: "TRUNCATE sessions CASCADE;", note: "empties every referencing table too" }],
    good: ["CREATE TABLE import_buffer (id bigint);\nTRUNCATE import_buffer;"],
  },
  check(statement, { state }) {
    if (statement.kind !== "TruncateStmt") return;
    const tables = (statement.ast.relations ?? []).map((r: any) => relationName(r.RangeVar)).filter((t: string) => isExisting(state, t));
    if (!tables.length) return;
    const cascade = statement.ast.behavior === "DROP_CASCADE";
    return {
      message: `TRUNCATE deletes every row of ${tables.map((t: string) => `\`${t}\``).join(", ")}${cascade ? " and, through CASCADE, of every table referencing them" : ""}; a rollback cannot bring the data back.`,
      severity: cascade ? "error" : undefined,
      locks: tables.map((t: string) => lock(t, "ACCESS EXCLUSIVE")),
    };
  },
};

export default rule;
