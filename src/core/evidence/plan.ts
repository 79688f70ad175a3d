// How a migration file is applied, decided from its parsed statements: in one transaction
// (the tool's per-file mode), or statement by statement because it holds statements that
// cannot run inside a transaction block, or because it manages transactions itself.
import type { Dialect, TransactionMode } from "../model.js";
import type { Statement } from "../parse/index.js";
import type { StatementTrace } from "./report.js";

export type StatementMode = StatementTrace["mode"];

export interface ExecutionPlan {
  execution: "file-transaction" | "per-statement";
  modes: StatementMode[];
  note?: string;
}

/** Why a PostgreSQL statement cannot run inside a transaction block, or undefined when it can. */
export function nonTransactionalReason(statement: Statement, postgresVersion: number): string | undefined {
  const ast = statement.ast ?? {};
  switch (statement.kind) {
    case "IndexStmt":
      return ast.concurrent ? "CREATE INDEX CONCURRENTLY" : undefined;
    case "DropStmt":
      return ast.concurrent ? "DROP INDEX CONCURRENTLY" : undefined;
    case "ReindexStmt":
      return (ast.params ?? []).some((p: any) => p?.DefElem?.defname === "concurrently") ? "REINDEX CONCURRENTLY" : undefined;
    case "VacuumStmt":
      return ast.is_vacuumcmd ? "VACUUM" : undefined;
    case "AlterTableStmt":
      return (ast.cmds ?? []).some((c: any) => c?.AlterTableCmd?.def?.PartitionCmd?.concurrent) ? "DETACH PARTITION CONCURRENTLY" : undefined;
    case "AlterEnumStmt":
      return postgresVersion < 12 && ast.newVal ? "ALTER TYPE … ADD VALUE (before PostgreSQL 12)" : undefined;
    case "CreatedbStmt":
    case "DropdbStmt":
    case "AlterSystemStmt":
    case "CreateTableSpaceStmt":
    case "DropTableSpaceStmt":
      return statement.kind.replace(/Stmt$/, "");
    default:
      return undefined;
  }
}

export function isTransactionControl(statement: Statement): boolean {
  return statement.kind === "TransactionStmt";
}

function transactionKind(statement: Statement): "begin" | "end" | "other" {
  const kind = String(statement.ast?.kind ?? "");
  if (/BEGIN|START/.test(kind)) return "begin";
  if (/COMMIT|ROLLBACK/.test(kind) && !/PREPARED|TO/.test(kind)) return "end";
  return "other";
}

/**
 * The tool's mode applied to this file. MySQL/MariaDB commit every DDL statement implicitly,
 * so their files always run statement by statement.
 */
export function planExecution(statements: Statement[], mode: TransactionMode, dialect: Dialect, postgresVersion: number): ExecutionPlan {
  if (dialect !== "postgres") {
    return { execution: "per-statement", modes: statements.map(() => "no-transaction"), note: mode === "per-file" ? "MySQL/MariaDB commit each DDL statement implicitly" : undefined };
  }
  const reasons = statements.map((s) => nonTransactionalReason(s, postgresVersion));
  if (statements.some(isTransactionControl)) {
    let inside = false;
    const modes = statements.map((s, i): StatementMode => {
      if (isTransactionControl(s)) {
        const k = transactionKind(s);
        if (k === "begin") inside = true;
        if (k === "end") inside = false;
        return "explicit-transaction";
      }
      if (inside) return "explicit-transaction";
      return reasons[i] ? "no-transaction" : "own-transaction";
    });
    return { execution: "per-statement", modes, note: "the file controls its own transactions (BEGIN/COMMIT): applied as written" };
  }
  const blocking = reasons.find(Boolean);
  if (mode === "per-file" && !blocking) return { execution: "file-transaction", modes: statements.map(() => "file-transaction") };
  return {
    execution: "per-statement",
    modes: reasons.map((r) => (r ? "no-transaction" : "own-transaction")),
    note: mode === "per-file" && blocking ? `holds ${blocking}, which cannot run inside a transaction: applied statement by statement` : undefined,
  };
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
