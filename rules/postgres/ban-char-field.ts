import type { Rule } from "../../src/core/analyze/rule.js";
import { newColumns } from "./_new-columns.js";

const rule: Rule = {
  id: "ban-char-field",
  title: "New char(n) column (use text)",
  dialects: ["postgres"],
  severity: "warning",
  optIn: true,
  docs: {
    why: "`char(n)` pads values with spaces to n characters, ignores trailing spaces in comparisons but not in `LIKE` or in conversion to text, and is no faster than `text` in PostgreSQL (the documentation recommends against it). Changing it later rewrites the table. Opt-in: a schema-style rule. No automatic fix: switching to `text` changes how trailing spaces compare.",
    locks: [],
    work: "none",
    safeAlternative: "1. Declare the column `text` (add `CHECK (length(<col>) = n)` if a fixed length is a real rule).",
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY);",
    bad: ["ALTER TABLE orders ADD COLUMN currency char(3);", "CREATE TABLE countries (code character(2) PRIMARY KEY);"],
    good: [
      "ALTER TABLE orders ADD COLUMN currency text CHECK (length(currency) = 3);",
      { sql: 'CREATE TABLE flags (id bigint, kind "char");', note: 'the one-byte internal type "char" is not char(n)' },
    ],
  },
  check(statement) {
    return newColumns(statement)
      .filter((c) => c.type === "bpchar")
      .map((c) => ({
        message: `Column \`${c.name}\` of \`${c.table}\` is \`char(${c.mods[0] ?? 1})\`: it pads with spaces and is no faster than \`text\`; use \`text\`.`,
        help: "Declare the column `text`, with a CHECK on its length if needed.",
      }));
  },
};

export default rule;
