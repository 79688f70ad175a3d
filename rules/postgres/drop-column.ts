import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { existingAlteredTable, lock } from "./_pg.js";

const rule: Rule = {
  id: "drop-column",
  title: "Dropping a column",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "`DROP COLUMN` is instant (a brief ACCESS EXCLUSIVE lock; the data stays on disk until rewritten), but it destroys the column's data for good and breaks any running code that still reads or writes it — including ORMs that cache the column list at startup. The down migration can re-add the column, not its data.",
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "metadata only",
    safeAlternative: [
      "1. Stop using the column in the code; tell the ORM to ignore it (Rails `ignored_columns`, Django: remove the field with `SeparateDatabaseAndState`).",
      "2. Deploy and let every instance restart.",
      "3. Drop the column in a later migration, with `lock_timeout` set.",
      "4. If the data may be needed, copy it to an archive table first.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, legacy_code text);",
    bad: ["ALTER TABLE orders DROP COLUMN legacy_code;"],
    good: ["CREATE TABLE drafts (id bigint, body text);\nALTER TABLE drafts DROP COLUMN body;", { sql: "ALTER TABLE orders DROP COLUMN legacy_code;", files: { "migrations/0001_example.sql": "ALTER TABLE orders ADD COLUMN legacy_code text;" }, path: "migrations/0001_example.down.sql", note: "the down migration drops what the up added" }],
  },
  check(statement, { state }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    return alterCommands(statement.ast)
      .filter((c) => c.subtype === "AT_DropColumn" && !state.columnsAddedInChange.has(`${stripPublic(table)}.${c.name}`))
      .map((c) => ({
        message: `Dropping \`${table}.${c.name}\` deletes its data for good and breaks running code that still uses it.`,
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help: "Remove every use in the code (and the ORM's column cache) and deploy before dropping.",
      }));
  },
};

export default rule;
