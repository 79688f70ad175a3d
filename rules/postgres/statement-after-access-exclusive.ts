import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands } from "../../src/core/analyze/pg-ast.js";
import { statementLocks } from "../../src/core/analyze/pg-locks.js";
import { accessExclusiveHeld } from "../../src/core/analyze/state.js";
import type { Statement } from "../../src/core/parse/index.js";
import { isExisting, LISTED_TABLES, listTables, lock } from "./_pg.js";

const CHEAP = new Set(["TransactionStmt", "VariableSetStmt", "VariableShowStmt", "CommentStmt"]);
const WORK = new Set(["UpdateStmt", "DeleteStmt", "InsertStmt", "MergeStmt", "IndexStmt", "CopyStmt", "SelectStmt", "RefreshMatViewStmt", "ClusterStmt", "DoStmt", "CallStmt", "CreateTableAsStmt"]);
const SLOW_ALTERS = new Set(["AT_AlterColumnType", "AT_SetNotNull", "AT_AddIndex", "AT_SetLogged", "AT_SetUnLogged", "AT_SetAccessMethod", "AT_SetTableSpace"]);

/** Why the statement keeps the held locks longer; `waits` tells a lock it must still acquire. */
function prolongs(statement: Statement, waits: (relation: string) => boolean): string | undefined {
  if (CHEAP.has(statement.kind)) return undefined;
  if (WORK.has(statement.kind)) return "it does data work";
  const others = statementLocks(statement).filter((l) => waits(l.relation));
  if (others.length) return `it must first wait for a lock on \`${others[0]!.relation}\``;
  if (statement.kind === "AlterTableStmt") {
    const slow = alterCommands(statement.ast).some(
      (c) => SLOW_ALTERS.has(c.subtype) || (c.subtype === "AT_AddConstraint" && !c.def?.Constraint?.skip_validation && c.def?.Constraint?.contype !== "CONSTR_NOTNULL"),
    );
    if (slow) return "it scans or rewrites the table";
  }
  return undefined;
}

const rule: Rule = {
  id: "statement-after-access-exclusive",
  title: "Slow statement while the transaction holds an ACCESS EXCLUSIVE lock",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "Locks are held until the transaction ends. Once a statement took ACCESS EXCLUSIVE on an existing table (ADD COLUMN, RENAME, DROP…), every later statement in the same transaction extends the time nobody can read or write that table — a backfill, an index build, or a statement that itself waits for another table's lock turns a millisecond of blocking into minutes. Cheap metadata statements on the already-locked table are not reported.",
    locks: [{ on: "table locked earlier in the transaction", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "none",
    safeAlternative: [
      "1. Commit right after the statement that takes ACCESS EXCLUSIVE (or put it in its own migration).",
      "2. Run backfills, index builds and other tables' DDL in separate transactions.",
      "3. Order statements so the strongest lock is taken last, right before COMMIT.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, status text); CREATE TABLE customers (id bigint PRIMARY KEY);",
    bad: [
      { sql: "ALTER TABLE orders ADD COLUMN region text;\nUPDATE orders SET region = 'eu';", config: { transaction: "per-file" } },
      {
        sql: "BEGIN;\nALTER TABLE orders RENAME COLUMN status TO state;\nALTER TABLE customers ADD COLUMN tier text;\nCOMMIT;",
        locks: [],
        note: "waits for the customers lock while orders is blocked (BEGIN/COMMIT in the example: locks not compared)",
      },
    ],
    good: [
      "ALTER TABLE orders ADD COLUMN region text;\nUPDATE orders SET region = 'eu';",
      { sql: "ALTER TABLE orders ADD COLUMN region text;\nALTER TABLE orders ADD COLUMN tier text;\nCOMMENT ON COLUMN orders.region IS 'sales region';", config: { transaction: "per-file" } },
      { sql: "CREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN note text;\nINSERT INTO refunds VALUES (1, 'x');", config: { transaction: "per-file" } },
    ],
  },
  check(statement, { state }) {
    if (!state.inTransaction) return;
    const held = accessExclusiveHeld(state);
    if (!held.length) return;
    const why = prolongs(statement, (r) => isExisting(state, r) && state.heldLocks.get(r) !== "ACCESS EXCLUSIVE");
    if (!why) return;
    return {
      message: `This statement runs while the transaction holds ACCESS EXCLUSIVE on ${listTables(held)}, and ${why}: all reads and writes of ${held.length > 1 ? "those tables" : "that table"} stay blocked meanwhile.`,
      // Locks taken earlier: the risk walk already counts them, so naming a few is enough.
      locks: held.slice(0, LISTED_TABLES).map((t) => lock(t, "ACCESS EXCLUSIVE")),
      help: "Commit after the ACCESS EXCLUSIVE statement and run this one in its own transaction.",
    };
  },
};

export default rule;
