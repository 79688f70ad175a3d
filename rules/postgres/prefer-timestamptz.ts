import type { Rule } from "../../src/core/analyze/rule.js";
import { newColumns, replaceColumnType } from "./_new-columns.js";

const rule: Rule = {
  id: "prefer-timestamptz",
  title: "New timestamp column without time zone (use timestamptz)",
  dialects: ["postgres"],
  severity: "warning",
  optIn: true,
  docs: {
    why: "`timestamp` (without time zone) stores a wall-clock reading with no offset: the same value means different instants for clients in different zones, and daylight-saving changes make values ambiguous. `timestamptz` stores an instant (UTC) and converts on the way in and out, at the same 8 bytes. Converting later rewrites the table unless the session TimeZone is UTC. Opt-in: a schema-style rule.",
    locks: [],
    work: "none",
    safeAlternative: "1. Declare the column `timestamptz` (`timestamp with time zone`).",
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY);",
    bad: [
      "ALTER TABLE orders ADD COLUMN shipped_at timestamp;",
      "CREATE TABLE events (id bigint, at timestamp(3) without time zone);",
    ],
    good: [
      "ALTER TABLE orders ADD COLUMN shipped_at timestamptz;",
      "CREATE TABLE events (id bigint, at timestamp with time zone);",
    ],
  },
  check(statement) {
    return newColumns(statement)
      .filter((c) => c.type === "timestamp")
      .map((c) => {
        const precision = c.mods.length ? `(${c.mods[0]})` : "";
        const edit = replaceColumnType(statement, c.name, "timestamp(?:\\s*\\(\\s*\\d+\\s*\\))?(?:\\s+without\\s+time\\s+zone)?", `timestamptz${precision}`);
        return {
          message: `Column \`${c.name}\` of \`${c.table}\` is \`timestamp\` without time zone: it stores no offset, so its instants are ambiguous; use \`timestamptz\`.`,
          fix: edit ? { description: `Declare \`${c.name}\` as timestamptz`, edits: [edit] } : undefined,
          help: "Declare the column `timestamptz`.",
        };
      });
  },
};

export default rule;
