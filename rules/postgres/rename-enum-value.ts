import type { Rule } from "../../src/core/analyze/rule.js";
import { names } from "../../src/core/analyze/pg-ast.js";
import { isExisting } from "./_pg.js";

const rule: Rule = {
  id: "rename-enum-value",
  title: "Renaming an enum value that stored rows and running code use",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "`ALTER TYPE … RENAME VALUE` changes every stored row at once: application code still running the old version writes and compares the old label and fails (`invalid input value for enum`).",
    locks: [],
    work: "metadata only",
    versions: "RENAME VALUE exists since PostgreSQL 10.",
    safeAlternative: [
      "1. `ALTER TYPE <type> ADD VALUE '<new>' AFTER '<old>';` (in its own migration).",
      "2. Deploy code that understands both labels and writes the new one.",
      "3. Backfill rows from the old label to the new one in batches.",
      "4. Stop using the old label (enum values cannot be dropped; leave it unused or migrate to a new type).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TYPE order_status AS ENUM ('new', 'done');",
    bad: ["ALTER TYPE order_status RENAME VALUE 'done' TO 'completed';"],
    good: ["ALTER TYPE order_status ADD VALUE 'completed' AFTER 'done';", "CREATE TYPE mood AS ENUM ('ok');\nALTER TYPE mood RENAME VALUE 'ok' TO 'fine';"],
  },
  check(statement, { state }) {
    if (statement.kind !== "AlterEnumStmt" || !statement.ast.oldVal) return;
    const type = names(statement.ast.typeName).join(".");
    if (!isExisting(state, type)) return;
    return { message: `Renaming '${statement.ast.oldVal}' of \`${type}\` to '${statement.ast.newVal}' breaks running code that still uses the old label.` };
  },
};

export default rule;
