import type { Rule } from "../../src/core/analyze/rule.js";
import { names, relationName, walk } from "../../src/core/analyze/pg-ast.js";
import { isExisting, lock, tableSize } from "./_pg.js";

/** A WHERE that bounds the work: a LIMITed subquery, a key range, or equality/IN with constants. */
function looksBatched(where: any): boolean {
  let bounded = false;
  // `id >= x AND id < y` (a range on one column) also bounds the batch.
  const ops: string[] = [];
  walk(where, (n) => {
    if (n?.SelectStmt?.limitCount) bounded = true;
    if (n?.A_Expr?.kind === "AEXPR_BETWEEN") bounded = true;
    if (n?.A_Expr?.kind === "AEXPR_IN" && Array.isArray(n.A_Expr.rexpr?.List?.items ?? n.A_Expr.rexpr)) bounded = true;
    if (n?.A_Expr?.kind === "AEXPR_OP") {
      ops.push(names(n.A_Expr.name)[0] ?? "");
      if (names(n.A_Expr.name)[0] === "=" && isConstant(n.A_Expr.rexpr) && isKeyColumn(n.A_Expr.lexpr)) bounded = true;
    }
    if (n?.ParamRef) bounded = true;
  });
  if (ops.some((o) => o === ">" || o === ">=") && ops.some((o) => o === "<" || o === "<=")) bounded = true;
  return bounded;
}

function isConstant(node: any): boolean {
  return Boolean(node?.A_Const || node?.TypeCast?.arg?.A_Const);
}

function isKeyColumn(node: any): boolean {
  const fields = names(node?.ColumnRef?.fields);
  const column = fields[fields.length - 1] ?? "";
  return column === "id" || column.endsWith("_id") || column === "uuid";
}

const rule: Rule = {
  id: "unbatched-update-on-large-table",
  title: "Unbatched UPDATE or DELETE on a large table",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "On a table that `tables:` statistics mark as large (at least `thresholds.large_table_rows`, default 1,000,000), an UPDATE or DELETE whose WHERE does not bound the batch (no key range, no LIMITed subquery, no key equality) can touch millions of rows in one transaction: long row locks, bloat, WAL bursts and replica lag. Without statistics the rule stays silent; `update-delete-without-where` still reports statements without any WHERE.",
    locks: [{ on: "updated table", mode: "ROW EXCLUSIVE", relation: "orders" }],
    work: "rewrite",
    safeAlternative: [
      "1. Move the data change out of the schema migration.",
      "2. Loop over key ranges: `UPDATE <table> SET … WHERE <cond> AND id >= $1 AND id < $1 + 10000;`, one transaction per batch.",
      "3. Sleep briefly between batches; watch replica lag.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, status text, archived boolean);",
    bad: [{ sql: "UPDATE orders SET archived = true WHERE status = 'done';", config: { tables: { orders: { rows: 80_000_000 } } } }],
    good: [
      { sql: "UPDATE orders SET archived = true WHERE status = 'done' AND id >= 1 AND id < 10001;", config: { tables: { orders: { rows: 80_000_000 } } } },
      { sql: "DELETE FROM orders WHERE id IN (SELECT id FROM orders WHERE status = 'done' LIMIT 10000);", config: { tables: { orders: { rows: 80_000_000 } } } },
      { sql: "UPDATE orders SET archived = true WHERE id = 42;", config: { tables: { orders: { rows: 80_000_000 } } } },
      "UPDATE orders SET archived = true WHERE status = 'done';",
    ],
  },
  check(statement, { state, config }) {
    if ((statement.kind !== "UpdateStmt" && statement.kind !== "DeleteStmt") || !statement.ast.whereClause) return;
    const table = relationName(statement.ast.relation);
    const rows = tableSize(config, table)?.rows;
    if (!isExisting(state, table) || rows === undefined || rows < config.thresholds.large_table_rows) return;
    if (looksBatched(statement.ast.whereClause)) return;
    return {
      message: `\`${table}\` has ${rows.toLocaleString("en-US")} rows and this ${statement.kind === "UpdateStmt" ? "UPDATE" : "DELETE"}'s WHERE does not bound the batch: it may touch millions of rows in one transaction.`,
      locks: [lock(table, "ROW EXCLUSIVE")],
      help: "Loop over primary-key ranges (or a LIMITed subquery), one transaction per batch.",
    };
  },
};

export default rule;
