// The fast answers rules get about a rewritten file (placeAfterEdit, used by
// runsOutsideAfterRewrite and addingStatementChangesHowItRuns) equal what recomputing the
// whole transaction context says, on every small file of a pool of statements, under every
// combination of how tools run files.
import { describe, expect, it } from "vitest";
import {
  addingStatementChangesHowItRuns,
  asNonTransactional,
  nonTransactionalReason,
  runsOutsideAfterRewrite,
  transactionContext,
  type FileSemantics,
  type TransactionContext,
} from "../src/core/analyze/transaction.js";
import { loadParsers, parseScript, type Statement } from "../src/core/parse/index.js";

await loadParsers();

const POOL = [
  "CREATE INDEX i ON t (a)",
  "CREATE INDEX CONCURRENTLY j ON t (b)",
  "DROP INDEX i",
  "BEGIN",
  "COMMIT",
  "ALTER TABLE t ADD COLUMN x int",
  "VACUUM t",
  "REINDEX INDEX i",
  "SET lock_timeout = '1s'",
  "ALTER TABLE t DETACH PARTITION p",
];

function statementsOf(sql: string): Statement[] {
  return parseScript({ file: "m.sql", text: sql, dialect: "postgres", baseOffset: 0, baseLine: 1 }).statements;
}

const SET = statementsOf("SET lock_timeout = '2s'")[0]!;

/** The definitions, by recomputing the context of the edited file. */
function rewrittenRunsOutside(context: TransactionContext, statements: Statement[], index: number): boolean {
  const after = transactionContext(context.semantics, statements.map((s, i) => (i === index ? asNonTransactional(s) : s)), 15);
  return !after.refusal && after.places[index] === "autocommit";
}

function addingChanges(context: TransactionContext, statements: Statement[]): boolean {
  if (context.refusal) return false;
  const mayBecome = (s: Statement) => ["IndexStmt", "DropStmt", "ReindexStmt"].includes(s.kind) && !s.ast?.concurrent || (s.kind === "AlterTableStmt" && (s.ast.cmds ?? []).some((c: any) => c?.AlterTableCmd?.subtype === "AT_DetachPartition"));
  for (const [i, statement] of statements.entries()) {
    let file = statements;
    if (nonTransactionalReason(statement, 15)) {
      if (context.places[i] !== "autocommit") continue;
    } else if (mayBecome(statement) && (statement.kind !== "DropStmt" || statement.ast.removeType === "OBJECT_INDEX") && rewrittenRunsOutside(context, statements, i)) {
      file = statements.map((s, j) => (j === i ? asNonTransactional(s) : s));
    } else continue;
    const after = transactionContext(context.semantics, [SET, ...file], 15);
    if (after.refusal || after.places[i + 1] !== "autocommit") return true;
  }
  return false;
}

const SEMANTICS: FileSemantics[] = [];
for (const transaction of ["per-file", "none"] as const)
  for (const delivery of ["whole-file", "per-statement"] as const)
    for (const nonTransactionalDetection of ["none", "flyway", "supabase"] as const)
      for (const mixed of [false, true]) SEMANTICS.push({ layout: "plain", transaction, delivery, nonTransactionalDetection, mixed });

describe("answers about a rewritten file", () => {
  it("equal the recomputed transaction context for every file of up to three pool statements", () => {
    const files: string[][] = [[]];
    for (let length = 0; length < 3; length++) for (const f of [...files]) if (f.length === length) for (const s of POOL) files.push([...f, s]);
    let compared = 0;
    for (const file of files.filter((f) => f.length)) {
      const statements = statementsOf(file.join(";\n") + ";");
      for (const semantics of SEMANTICS) {
        const context = transactionContext(semantics, statements, 15);
        for (const [i, statement] of statements.entries()) {
          if (!["IndexStmt", "DropStmt", "ReindexStmt", "AlterTableStmt"].includes(statement.kind)) continue;
          expect(runsOutsideAfterRewrite(context, statements, i, 15), `${file.join("; ")} [${i}] ${JSON.stringify(semantics)}`).toBe(rewrittenRunsOutside(context, statements, i));
          compared++;
        }
        expect(addingStatementChangesHowItRuns(context, statements, 15), `${file.join("; ")} ${JSON.stringify(semantics)}`).toBe(addingChanges(context, statements));
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  }, 120_000);
});
