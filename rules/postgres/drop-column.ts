import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import type { ParsedScript, Statement } from "../../src/core/parse/script.js";
import { existingAlteredTable, lock } from "./_pg.js";

/**
 * A column swap (add `x_new`, copy `x` into it, drop `x`, rename `x_new` to `x`, all in one
 * transaction: how a column's type or identity is changed by hand) keeps the data and the name:
 * the dropped column is not a loss.
 */
function swappedInTransaction(script: ParsedScript, drop: Statement, table: string, column: string): boolean {
  const at = script.statements.indexOf(drop);
  const onTable = (s: Statement) => s.ast?.relation && stripPublic(relationName(s.ast.relation)) === table;
  const renamedFrom = script.statements
    .slice(at + 1)
    .filter((s) => s.kind === "RenameStmt" && s.ast.renameType === "OBJECT_COLUMN" && s.ast.newname === column && onTable(s))
    .map((s) => s.ast.subname as string);
  if (renamedFrom.length === 0) return false;
  return script.statements.slice(0, at).some(
    (s) =>
      s.kind === "UpdateStmt" &&
      onTable(s) &&
      (s.ast.targetList ?? []).some((t: any) => renamedFrom.includes(t.ResTarget?.name) && mentionsColumn(assignedValue(t.ResTarget), column)),
  );
}

/** The expression assigned to one target, also inside `SET (a, b) = (x, y)`. */
function assignedValue(target: any): unknown {
  const multi = target.val?.MultiAssignRef;
  if (multi) return multi.source?.RowExpr?.args?.[multi.colno - 1] ?? multi.source;
  return target.val;
}

function mentionsColumn(node: unknown, column: string): boolean {
  if (!node || typeof node !== "object") return false;
  const ref = (node as any).ColumnRef;
  if (ref) return ref.fields?.at(-1)?.String?.sval === column;
  return Object.values(node).some((v) => mentionsColumn(v, column));
}

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
    good: ["CREATE TABLE drafts (id bigint, body text);\nALTER TABLE drafts DROP COLUMN body;", { sql: "ALTER TABLE orders DROP COLUMN legacy_code;", files: { "migrations/0001_example.sql": "ALTER TABLE orders ADD COLUMN legacy_code text;" }, path: "migrations/0001_example.down.sql", note: "the down migration drops what the up added" },
      {
        sql: "BEGIN;\nALTER TABLE orders ADD COLUMN legacy_code_new varchar(40);\nUPDATE orders SET (legacy_code_new) = ROW(legacy_code::varchar(40));\nALTER TABLE orders DROP COLUMN legacy_code;\nALTER TABLE orders RENAME COLUMN legacy_code_new TO legacy_code;\nCOMMIT;",
        note: "a column swap in one transaction: the data is copied and the name comes back, nothing is lost",
      }],
  },
  check(statement, { state, script }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    return alterCommands(statement.ast)
      .filter((c) => c.subtype === "AT_DropColumn" && !state.columnsAddedInChange.has(`${stripPublic(table)}.${c.name}`))
      .filter((c) => !(state.inTransaction && swappedInTransaction(script, statement, stripPublic(table), c.name)))
      .map((c) => ({
        message: `Dropping \`${table}.${c.name}\` deletes its data for good and breaks running code that still uses it.`,
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help: "Remove every use in the code (and the ORM's column cache) and deploy before dropping.",
      }));
  },
};

export default rule;
