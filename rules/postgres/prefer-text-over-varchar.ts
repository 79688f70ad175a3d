import type { Rule } from "../../src/core/analyze/rule.js";
import { newColumns, replaceColumnType } from "./_new-columns.js";

const rule: Rule = {
  id: "prefer-text-over-varchar",
  title: "New varchar(n) column (use text, with a CHECK if a limit is needed)",
  dialects: ["postgres"],
  severity: "warning",
  optIn: true,
  docs: {
    why: "`varchar(n)` stores exactly like `text`; the limit is the only difference. Raising it later is cheap, but lowering it, or any change PostgreSQL cannot prove binary-coercible, rewrites the table under an ACCESS EXCLUSIVE lock. A `text` column with a `CHECK (length(col) <= n)` constraint can have its limit changed with `ADD CONSTRAINT … NOT VALID` + `VALIDATE`, which never blocks reads or writes. Opt-in: a schema-style rule.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Declare the column `text`.",
      "2. If a limit matters, add `CONSTRAINT <name> CHECK (length(<col>) <= n)`; change it later with a new constraint `NOT VALID`, then `VALIDATE CONSTRAINT`, then drop the old one.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY);",
    bad: ["ALTER TABLE orders ADD COLUMN code varchar(20);", "CREATE TABLE customers (id bigint, email character varying(255));"],
    good: [
      "ALTER TABLE orders ADD COLUMN code text;",
      "ALTER TABLE orders ADD COLUMN code varchar;",
      "CREATE TABLE customers (id bigint, email text CONSTRAINT email_length CHECK (length(email) <= 255));",
    ],
  },
  check(statement) {
    return newColumns(statement)
      .filter((c) => c.type === "varchar" && c.mods.length > 0)
      .map((c) => {
        const edit = replaceColumnType(statement, c.name, "(?:varchar|character\\s+varying)\\s*\\(\\s*\\d+\\s*\\)", "text");
        return {
          message: `Column \`${c.name}\` of \`${c.table}\` is \`varchar(${c.mods[0]})\`: changing the limit later may rewrite the table; use \`text\` with a CHECK on its length.`,
          fix: edit ? { description: `Declare \`${c.name}\` as text`, edits: [edit] } : undefined,
          help: `\`${c.name} text CHECK (length(${c.name}) <= ${c.mods[0]})\` keeps the limit and lets it change without a rewrite.`,
        };
      });
  },
};

export default rule;
