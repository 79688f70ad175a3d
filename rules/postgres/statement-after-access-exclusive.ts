import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands } from "../../src/core/analyze/pg-ast.js";
import { statementLocks, type IndexTable } from "../../src/core/analyze/pg-locks.js";
import type { Config } from "../../src/core/config/schema.js";
import { accessExclusiveHeld, advanceLocks, forkLocks, indexTableOf, isCreatedInChange, type AnalysisState } from "../../src/core/analyze/state.js";
import type { Statement } from "../../src/core/parse/index.js";
import { estimateWork, formatDuration, throughput } from "../../src/core/risk/estimate.js";
import { statementWork } from "../../src/core/risk/work.js";
import type { StatsCatalog } from "../../src/core/stats/index.js";
import { isExisting, LISTED_TABLES, listTables, lock } from "./_pg.js";

const CHEAP = new Set(["TransactionStmt", "VariableSetStmt", "VariableShowStmt", "CommentStmt"]);
const WORK = new Set(["UpdateStmt", "DeleteStmt", "InsertStmt", "MergeStmt", "IndexStmt", "CopyStmt", "SelectStmt", "RefreshMatViewStmt", "ClusterStmt", "DoStmt", "CallStmt", "CreateTableAsStmt"]);
const SLOW_ALTERS = new Set(["AT_AlterColumnType", "AT_SetNotNull", "AT_AddIndex", "AT_SetLogged", "AT_SetUnLogged", "AT_SetAccessMethod", "AT_SetTableSpace"]);

/** Why the statement keeps the held locks longer; `waits` tells a lock it must still acquire. */
function prolongs(statement: Statement, waits: (relation: string) => boolean, indexTable: IndexTable): string | undefined {
  if (CHEAP.has(statement.kind)) return undefined;
  if (WORK.has(statement.kind)) return "it does data work";
  const others = statementLocks(statement, indexTable).filter((l) => waits(l.relation));
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
    why: "Locks are held until the transaction ends. Once a statement took ACCESS EXCLUSIVE on an existing table (ADD COLUMN, RENAME, DROP…), every later statement in the same transaction extends the time nobody can read or write that table — a backfill, an index build, or a statement that itself waits for another table's lock turns a millisecond of blocking into minutes. Cheap metadata statements on the already-locked table are not counted. One finding per transaction, on the statement that first takes the lock, lists every later statement that prolongs it and the estimated time under the lock (from `tables:` statistics).",
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
  check(statement, { state, script, config, stats }) {
    if (!state.inTransaction || accessExclusiveHeld(state).length) return;
    // The statement that first takes ACCESS EXCLUSIVE on an existing table in this transaction.
    if (!statementLocks(statement, indexTableOf(state)).some((l) => l.mode === "ACCESS EXCLUSIVE" && isExisting(state, l.relation))) return;
    const under = statementsUnderLock(statement, script.statements, state, config, stats);
    if (!under.entries.length) return;
    const held = under.held;
    const named = under.entries.slice(0, LISTED_STATEMENTS).map((e) => e.label).join("; ");
    const more = under.entries.length > LISTED_STATEMENTS ? `; and ${under.entries.length - LISTED_STATEMENTS} more` : "";
    const count = under.entries.length === 1 ? "1 later statement runs" : `${under.entries.length} later statements run`;
    return {
      message: `This statement takes ACCESS EXCLUSIVE on ${listTables(held.slice(0, 1))}, held until the transaction ends${held.length > 1 ? ` (with ${listTables(held.slice(1))} locked after it)` : ""}, and ${count} under the lock: ${named}${more}. ${under.duration} All reads and writes of ${held.length > 1 ? "those tables" : "that table"} stay blocked meanwhile.`,
      // Locks taken by the transaction: the risk walk already counts them, so naming a few is enough.
      locks: held.slice(0, LISTED_TABLES).map((t) => lock(t, "ACCESS EXCLUSIVE")),
      help: "Commit right after the ACCESS EXCLUSIVE statement (or move it last, just before COMMIT) and run the listed statements in their own transaction.",
    };
  },
};

/** Statements a message lists by line before it counts the rest. */
const LISTED_STATEMENTS = 5;

interface UnderLock {
  entries: { label: string }[];
  /** Existing tables held ACCESS EXCLUSIVE by the end of the transaction, first-locked first. */
  held: string[];
  /** "Estimated time under the lock: 40 s." or why it cannot be estimated. */
  duration: string;
}

/** Walks a copy of the state past `statement` to the end of its transaction: what prolongs the lock. */
function statementsUnderLock(statement: Statement, statements: Statement[], state: AnalysisState, config: Config, stats: StatsCatalog): UnderLock {
  const rates = throughput(config);
  let sim = advanceLocks(forkLocks(state), statement);
  const entries: { label: string }[] = [];
  let seconds = 0;
  let unknown = 0;
  let waits = 0;
  const heldNow = () => [...sim.heldLocks].filter(([r, mode]) => mode === "ACCESS EXCLUSIVE" && isExisting(sim, r)).map(([r]) => r);
  let held = heldNow();
  for (const next of statements.slice(statement.index + 1)) {
    if (!sim.inTransaction) break;
    // What is held is read where the transaction may end, not after every statement (O(n·tables)).
    if (next.kind === "TransactionStmt") held = heldNow();
    const why = prolongs(next, (r) => isExisting(sim, r) && sim.heldLocks.get(r) !== "ACCESS EXCLUSIVE", indexTableOf(sim));
    if (why) {
      let cost = "";
      if (why.startsWith("it must")) waits++;
      else {
        const estimate = estimateWork(statementWork(next, sim.postgresVersion), stats, rates, (t) => isCreatedInChange(sim, t));
        if (estimate.known) {
          seconds += estimate.estimate.seconds;
          if (estimate.estimate.seconds > 0) cost = `, ~${formatDuration(estimate.estimate.seconds)}`;
        } else unknown++;
      }
      entries.push({ label: `line ${next.span.startLine} (${summary(next)}: ${why.replace(/^it /, "")}${cost})` });
    }
    sim = advanceLocks(sim, next);
  }
  if (sim.inTransaction) held = heldNow();
  const parts: string[] = [];
  if (unknown) parts.push(`${unknown === 1 ? "1 statement has" : `${unknown} statements have`} no table statistics`);
  if (waits) parts.push(`${waits === 1 ? "1 statement waits" : `${waits} statements wait`} for other locks as long as other sessions hold them`);
  const duration =
    unknown === entries.length - waits && unknown > 0 && seconds === 0
      ? `Time under the lock: unknown (${parts.join("; ")}).`
      : `Estimated time under the lock: ${unknown || waits ? "at least " : ""}${formatDuration(seconds)}${parts.length ? ` (${parts.join("; ")})` : ""}.`;
  // The statement's own tables first: the message says "this statement takes ACCESS EXCLUSIVE on …".
  const own = statementLocks(statement, indexTableOf(state)).filter((l) => l.mode === "ACCESS EXCLUSIVE").map((l) => l.relation);
  return { entries, held: [...held.filter((t) => own.includes(t)), ...held.filter((t) => !own.includes(t))], duration };
}

/** "UPDATE orders", "ALTER TABLE customers": the statement's first words, on one line. */
function summary(statement: Statement): string {
  const words = (text: string) => text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, " ").replace(/\/\*[\s\S]*$/, " ").trim().split(/\s+/).slice(0, 3);
  // The head of the statement is enough, unless comments fill it (a function body can be long).
  const head = words(statement.text.slice(0, 400));
  return (head.length === 3 ? head : words(statement.text)).join(" ");
}

export default rule;
