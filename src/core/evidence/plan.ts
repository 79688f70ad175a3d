// How the ephemeral test applies a migration file: the way its tool runs it, from the one
// decision in src/core/analyze/transaction.ts that the analysis uses too.
import type { Dialect } from "../model.js";
import type { Statement } from "../parse/index.js";
import type { StatementTrace } from "./report.js";
import { nonTransactionalReason, type TransactionContext } from "../analyze/transaction.js";

export type StatementMode = StatementTrace["mode"];

export interface ExecutionPlan {
  execution: "file-transaction" | "per-statement" | "skipped";
  modes: StatementMode[];
  note?: string;
  /** The tool refuses the file before running it: the test does not run it either. */
  refusal?: string;
}

export { nonTransactionalReason };

export function isTransactionControl(statement: Statement): boolean {
  return statement.kind === "TransactionStmt";
}

/**
 * How the test applies a file: exactly as its tool runs it (transactionContext). Statements in
 * the tool's transaction or in the implicit block of a multi-statement query run inside one
 * BEGIN … COMMIT the test opens (and reopens after the file's own COMMIT, as PostgreSQL starts
 * a new implicit block there), so a CONCURRENTLY statement fails where the tool's run fails;
 * statements outside any block run on their own, each traced in a transaction of its own
 * unless it cannot run in one. A file the tool refuses is not run.
 */
export function planExecution(statements: Statement[], context: TransactionContext, dialect: Dialect, postgresVersion: number): ExecutionPlan {
  if (dialect !== "postgres") {
    return { execution: "per-statement", modes: statements.map(() => "no-transaction"), note: context.semantics.transaction === "per-file" ? "MySQL/MariaDB commit each DDL statement implicitly" : undefined };
  }
  if (context.refusal) return { execution: "skipped", modes: statements.map(() => "no-transaction"), refusal: context.refusal.message, note: context.how };
  const modes = statements.map((s, i): StatementMode => {
    const place = context.places[i];
    if (place === "explicit-transaction") return "explicit-transaction";
    if (place === "tool-transaction" || place === "one-query") return "file-transaction";
    return nonTransactionalReason(s, postgresVersion) ? "no-transaction" : "own-transaction";
  });
  const whole = modes.length > 0 && modes.every((m) => m === "file-transaction");
  const explicit = statements.some(isTransactionControl);
  const note = explicit
    ? `${context.how}; the file's own BEGIN/COMMIT applied as written`
    : context.semantics.delivery === "whole-file" || context.semantics.nonTransactionalDetection !== "none" || context.toolTransaction !== (context.semantics.transaction === "per-file")
      ? context.how
      : undefined;
  return { execution: whole ? "file-transaction" : "per-statement", modes, ...(note ? { note } : {}) };
}

export interface RelationRef {
  schema?: string;
  name: string;
}

/** Every relation a statement names (tables, indexes, views), from the parse tree. */
export function referencedRelations(statement: Statement): RelationRef[] {
  const out = new Map<string, RelationRef>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    if (typeof o.relname === "string") {
      const ref = { schema: typeof o.schemaname === "string" ? o.schemaname : undefined, name: o.relname };
      out.set(`${ref.schema ?? ""}.${ref.name}`, ref);
    }
    // MySQL (node-sql-parser): { table: "orders", db: null }
    if (statement.dialect !== "postgres" && typeof o.table === "string") {
      out.set(`.${o.table}`, { schema: typeof o.db === "string" ? o.db : undefined, name: o.table });
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(statement.ast);
  return [...out.values()];
}

/** Counts rows for these statement kinds (INSERT/UPDATE/DELETE/MERGE/COPY). */
export function affectsRows(statement: Statement): boolean {
  return /^(InsertStmt|UpdateStmt|DeleteStmt|MergeStmt|CopyStmt|insert|update|delete|replace)$/.test(statement.kind);
}

/** One line, at most `max` characters, for reports. */
export function shortSql(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
