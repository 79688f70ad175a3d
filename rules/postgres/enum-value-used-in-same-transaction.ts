/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Rule } from "../../src/core/analyze/rule.js";
import { names, walk } from "../../src/core/analyze/pg-ast.js";
import type { ParsedScript, Statement } from "../../src/core/parse/index.js";

interface AddedValue {
  value: string;
  type: string;
  statement: Statement;
}

const isAddValue = (s: Statement) => s.kind === "AlterEnumStmt" && s.ast.newVal && !s.ast.oldVal;

/** Values any ALTER TYPE … ADD VALUE of the script adds: a cheap first filter, computed once per script. */
const addedInScript = new WeakMap<ParsedScript, Set<string>>();
function valuesAddedIn(script: ParsedScript): Set<string> {
  let values = addedInScript.get(script);
  if (!values) {
    values = new Set(script.statements.filter(isAddValue).map((s) => String(s.ast.newVal)));
    addedInScript.set(script, values);
  }
  return values;
}

function stringConstants(ast: any): Set<string> {
  const out = new Set<string>();
  walk(ast, (n) => {
    if (typeof n?.A_Const?.sval?.sval === "string") out.add(n.A_Const.sval.sval);
  });
  return out;
}

/**
 * ADD VALUE statements run earlier in the transaction the current statement runs in: back to
 * the last COMMIT/ROLLBACK, or to the BEGIN unless the tool's own transaction encloses it.
 */
function addedEarlierInTransaction(script: ParsedScript, statement: Statement, toolTransaction: boolean): AddedValue[] {
  const out: AddedValue[] = [];
  for (let i = statement.index - 1; i >= 0; i--) {
    const s = script.statements[i]!;
    if (s.kind === "TransactionStmt") {
      const k = String(s.ast.kind);
      if (k === "TRANS_STMT_COMMIT" || k === "TRANS_STMT_ROLLBACK" || k === "TRANS_STMT_PREPARE") break;
      if ((k === "TRANS_STMT_BEGIN" || k === "TRANS_STMT_START") && !toolTransaction) break;
    }
    if (isAddValue(s)) out.push({ value: String(s.ast.newVal), type: names(s.ast.typeName).join("."), statement: s });
  }
  return out;
}

const rule: Rule = {
  id: "enum-value-used-in-same-transaction",
  title: "Enum value used in the transaction that added it",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "A value added by `ALTER TYPE … ADD VALUE` inside a transaction block cannot be used until that transaction commits: an INSERT, UPDATE, comparison or cast with it fails with `unsafe use of new value \"…\" of enum type …` (verified on PostgreSQL 15, also when the enum was created in the same transaction), and the whole migration rolls back. Migration tools that wrap each file in a transaction hit this whenever a file adds a value and backfills it. The rule matches string literals equal to the new value in later statements of the same transaction.",
    locks: [],
    work: "none",
    versions: "From PostgreSQL 12 (before 12, ADD VALUE cannot run in a transaction block at all: see enum-add-value-in-transaction).",
    safeAlternative: [
      "1. Add the value in its own migration (or end the transaction with COMMIT right after `ALTER TYPE … ADD VALUE`).",
      "2. Use the value (backfill, defaults, constraints) in a later migration.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TYPE order_status AS ENUM ('new', 'done');\nCREATE TABLE orders (id bigint PRIMARY KEY, status order_status);",
    bad: [
      "BEGIN;\nALTER TYPE order_status ADD VALUE 'cancelled';\nUPDATE orders SET status = 'cancelled' WHERE id = 1;\nCOMMIT;",
      { sql: "ALTER TYPE order_status ADD VALUE 'cancelled';\nALTER TABLE orders ALTER COLUMN status SET DEFAULT 'cancelled';", config: { transaction: "per-file" } },
    ],
    good: [
      "BEGIN;\nALTER TYPE order_status ADD VALUE 'cancelled';\nCOMMIT;\nUPDATE orders SET status = 'cancelled' WHERE id = 1;",
      { sql: "ALTER TYPE order_status ADD VALUE 'cancelled';\nUPDATE orders SET status = 'cancelled' WHERE id = 1;", config: { transaction: "none" }, note: "each statement commits on its own" },
      "BEGIN;\nALTER TYPE order_status ADD VALUE 'cancelled';\nUPDATE orders SET status = 'done' WHERE id = 1;\nCOMMIT;",
    ],
  },
  check(statement, { state, script }) {
    if (!state.inTransaction || state.postgresVersion < 12) return;
    if (statement.kind === "TransactionStmt" || isAddValue(statement)) return;
    const candidates = valuesAddedIn(script);
    if (!candidates.size) return;
    const literals = stringConstants(statement.ast);
    if (![...literals].some((l) => candidates.has(l))) return;
    // A BEGIN inside the tool's transaction, or inside a multi-statement query's implicit block, keeps the earlier statements in the same transaction.
    const used = addedEarlierInTransaction(script, statement, state.toolTransaction || state.oneQuery).filter((a) => literals.has(a.value));
    return used.map((a) => ({
      message: `'${a.value}' was added to enum \`${a.type}\` earlier in this transaction (line ${a.statement.span.startLine}): PostgreSQL refuses to use it before COMMIT ("unsafe use of new value"), and the migration fails.`,
      help: "Commit the ADD VALUE first: put it in its own migration, and use the value in a later one.",
    }));
  },
};

export default rule;
