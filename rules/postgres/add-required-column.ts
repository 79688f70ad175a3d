import type { Rule } from "../../src/core/analyze/rule.js";
import type { Statement } from "../../src/core/parse/index.js";
import type { AnalysisState } from "../../src/core/analyze/state.js";
import { columnConstraints, relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { baseTypeName, columnsAddedToExistingTable, isSerialType, lock, tableSize } from "./_pg.js";

const rule: Rule = {
  id: "add-required-column",
  title: "NOT NULL column added without a default",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "`ADD COLUMN … NOT NULL` without a DEFAULT fails on any table that has rows (`column contains null values`), so the migration passes on an empty development database and breaks in production. Even where it succeeds, application code still running the old version inserts rows without the column and starts failing.",
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "metadata only",
    versions: "Since PostgreSQL 11 a constant DEFAULT is stored in the catalog, so `ADD COLUMN … NOT NULL DEFAULT <constant>` needs no rewrite.",
    safeAlternative: [
      "1. Add the column nullable (or `NOT NULL DEFAULT <constant>` on PostgreSQL 11+).",
      "2. Deploy code that writes the column.",
      "3. Backfill existing rows in batches.",
      "4. Make it NOT NULL with the CHECK … NOT VALID → VALIDATE → SET NOT NULL recipe (see `set-not-null`).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY);",
    bad: ["ALTER TABLE orders ADD COLUMN currency text NOT NULL;"],
    good: [
      { sql: "ALTER TABLE orders ADD COLUMN seq serial4 NOT NULL;", note: "serial4 is serial: the column fills itself (add-column-serial-or-generated flags the rewrite)" },
      "ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT 'EUR';",
      "ALTER TABLE orders ADD COLUMN currency text;",
      "ALTER TABLE orders ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;",
      "CREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN reason text NOT NULL;",
      { sql: "ALTER TABLE orders ADD COLUMN currency text NOT NULL;", config: { tables: { orders: { rows: 0 } } }, note: "statistics say the table is empty" },
      { sql: "BEGIN;\nTRUNCATE orders;\nALTER TABLE orders ADD COLUMN currency text NOT NULL;\nCOMMIT;", note: "emptied earlier in the same transaction: TRUNCATE's ACCESS EXCLUSIVE lock keeps new rows out until COMMIT" },
    ],
  },
  check(statement, { state, config, script }) {
    const added = columnsAddedToExistingTable(statement, state);
    if (!added) return;
    const { table } = added;
    if (tableSize(config, table)?.rows === 0) return;
    if (state.inTransaction && truncatedEarlier(script.statements, statement, table, state)) return;
    const hits = [];
    for (const def of added.defs) {
      const kinds = new Set(columnConstraints(def).map((c) => c.contype));
      const fillsItself = ["CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"].some((k) => kinds.has(k));
      const serial = isSerialType(baseTypeName(def?.typeName));
      if (!(kinds.has("CONSTR_NOTNULL") || kinds.has("CONSTR_PRIMARY")) || fillsItself || serial) continue;
      hits.push({
        message: `\`${table}.${def.colname}\` is added NOT NULL without a default: the statement fails as soon as \`${table}\` has a row, and old application code cannot insert.`,
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help: "Add it nullable (or with a constant DEFAULT on PostgreSQL 11+), backfill, then enforce NOT NULL.",
      });
    }
    return hits;
  },
};

/**
 * Was `table` truncated earlier in the same transaction? TRUNCATE holds ACCESS EXCLUSIVE until the
 * transaction ends, so the table is still empty when the column is added.
 */
function truncatedEarlier(statements: Statement[], statement: Statement, table: string, state: AnalysisState): boolean {
  // TRUNCATE leaves ACCESS EXCLUSIVE held: without it nothing to look back for (a long
  // transaction used to be rescanned for every added column).
  const bare = stripPublic(table);
  if (![bare, `public.${bare}`, table].some((t) => state.heldLocks.get(t) === "ACCESS EXCLUSIVE")) return false;
  for (let i = statement.index - 1; i >= 0; i--) {
    const s = statements[i]!;
    if (s.kind === "TransactionStmt") return false;
    if (s.kind === "TruncateStmt" && (s.ast.relations ?? []).some((r: { RangeVar?: unknown }) => stripPublic(relationName(r.RangeVar)) === stripPublic(table))) return true;
  }
  return false;
}

export default rule;
