// What a traced migrate command did to the database, as a SQL script: the statements it sent
// (parameters inlined), in the order the server completed them, keeping only what took effect
// (a transaction it rolled back, a statement that failed) and leaving out its read-only
// introspection (catalog queries, advisory locks), which changes nothing and only adds noise.
import { z } from "zod";
import type { Dialect } from "../model.js";
import { parseScript, type Statement } from "../parse/index.js";
import { inlineParameters } from "../parse/postgres.js";
import { referencedRelations } from "../evidence/plan.js";

/** One query as the wire relay saw it complete. */
export const WireEvent = z.object({
  /** Client connection number (a tool's pool may use several). */
  session: z.number().int(),
  sql: z.string(),
  params: z.array(z.string().nullable()).optional(),
  ok: z.boolean(),
  error: z.string().optional(),
  /** Transaction status the server reported after it: idle, in a transaction, in a failed one. */
  txAfter: z.enum(["I", "T", "E"]),
});
export type WireEvent = z.infer<typeof WireEvent>;

export interface CapturedScript {
  /** The statements that took effect, one per paragraph, each ending with `;`. */
  sql: string;
  /** Statements sent, and how many of them the script leaves out and why. */
  sent: number;
  left: { readOnly: number; bookkeeping: number; failed: number; rolledBack: number; copy: number };
}

/** Functions a read-only introspection query may call without changing anything. */
const READ_ONLY_FUNCTIONS = /^(pg_(try_)?advisory_(xact_)?(un)?lock(_shared|_all)?|pg_get_\w+|pg_table_is_visible|pg_backend_pid|pg_postmaster_start_time|to_reg\w+|format_type|has_\w+_privilege|obj_description|col_description|shobj_description|current_\w+|session_user|version|count|max|min|sum|avg|array_agg|string_agg|json_agg|jsonb_agg|json_build_object|jsonb_build_object|coalesce|lower|upper|quote_ident|quote_literal|format|concat|unnest|array_to_string|exists|row_number|now|set_config)$/i;

/**
 * `failed`: the command exited with an error. Its last failing statement is kept, after the
 * statements of its transaction that preceded it and before the ROLLBACK that ended it, so
 * replaying the script meets the same error at the same statement; nothing after it is kept.
 */
export function capturedScript(events: readonly WireEvent[], options: { dialect?: Dialect; failed?: boolean } = {}): CapturedScript {
  const dialect = options.dialect ?? "postgres";
  const lastFailure = options.failed ? events.findLastIndex((e) => !e.ok) : -1;
  const left = { readOnly: 0, bookkeeping: 0, failed: 0, rolledBack: 0, copy: 0 };
  const kept: string[] = [];
  const open = new Map<number, { statements: string[]; failed: boolean }>();
  let sent = 0;
  for (const [index, event] of events.entries()) {
    const statements = splitStatements(event.params?.length ? inlineParameters(event.sql, event.params) : event.sql, dialect);
    if (index === lastFailure) {
      // The tool then rolled its transaction back, as the replay will: the script says so too.
      const inTransaction = open.has(event.session) || event.txAfter !== "I";
      kept.push(...(open.get(event.session)?.statements ?? []), ...statements.map((s) => s.text), ...(inTransaction ? ["ROLLBACK"] : []));
      break;
    }
    sent += statements.length;
    const transaction = open.get(event.session);
    if (!event.ok) {
      left.failed += statements.length;
      if (transaction) transaction.failed = true;
      else if (event.txAfter !== "I") open.set(event.session, { statements: [], failed: true });
      continue;
    }
    const texts = statements.flatMap((s) => {
      if (isReadOnly(s)) {
        left.readOnly++;
        return [];
      }
      if (isBookkeeping(s)) {
        left.bookkeeping++;
        return [];
      }
      if (isCopyFromClient(s)) {
        left.copy++;
        return [];
      }
      return [s.text];
    });
    if (event.txAfter === "I") {
      if (!transaction) {
        kept.push(...texts);
        continue;
      }
      open.delete(event.session);
      const committed = !transaction.failed && statements.some((s) => isCommit(s));
      if (committed) kept.push(...withoutEmptyTransaction([...transaction.statements, ...texts]));
      else left.rolledBack += transaction.statements.filter((t) => !/^\s*(BEGIN|START)\b/i.test(t)).length;
      continue;
    }
    const current = transaction ?? { statements: [], failed: false };
    current.statements.push(...texts);
    if (event.txAfter === "E") current.failed = true;
    open.set(event.session, current);
  }
  const sql = kept.map((text) => `${text.trim().replace(/;\s*$/, "")}\n;\n`).join("\n");
  return { sql, sent, left };
}

type Sent = Pick<Statement, "text" | "kind" | "ast" | "dialect">;

function splitStatements(sql: string, dialect: Dialect): Sent[] {
  const parsed = parseScript({ file: "traced", text: sql, baseOffset: 0, baseLine: 1, dialect });
  // Text the parser rejects was still accepted by the server: keep it whole.
  if (parsed.problems.some((p) => p.kind === "parse-error")) return sql.trim() ? [{ text: sql, kind: "unknown", ast: null, dialect }] : [];
  return parsed.statements;
}

function isCommit(statement: Sent): boolean {
  return statement.kind === "TransactionStmt" && ["TRANS_STMT_COMMIT", "TRANS_STMT_COMMIT_PREPARED"].includes(String(statement.ast?.kind));
}

/** BEGIN … COMMIT around nothing once read-only statements are left out. */
function withoutEmptyTransaction(texts: string[]): string[] {
  const isControl = (t: string) => /^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|SAVEPOINT|RELEASE)\b/i.test(t);
  return texts.every(isControl) ? [] : texts;
}

/** The tables migration tools keep their own history and locks in (Knex, node-pg-migrate, TypeORM, Sequelize, Django, Alembic, Rails, Ecto, Laravel, Prisma, …). */
export const TOOL_TABLES = new Set(
  [
    "knex_migrations", "knex_migrations_lock", "pgmigrations", "migrations", "typeorm_metadata", "sequelizemeta", "sequelizedata",
    "django_migrations", "alembic_version", "schema_migrations", "ar_internal_metadata", "_prisma_migrations", "flyway_schema_history",
    "goose_db_version", "gorp_migrations", "__drizzle_migrations", "kysely_migration", "kysely_migration_lock", "mikro_orm_migrations",
  ],
);

/** A statement that touches only the migration tool's own history tables. */
function isBookkeeping(statement: Sent): boolean {
  if (!statement.ast) return false;
  const relations = referencedRelations(statement as Statement);
  return relations.length > 0 && relations.every((r) => TOOL_TABLES.has(r.name.toLowerCase()));
}

function isCopyFromClient(statement: Sent): boolean {
  return statement.kind === "CopyStmt" && statement.ast?.is_from === true && !statement.ast?.filename;
}

/** A SELECT or SHOW that writes nothing, locks no rows and calls only read-only functions. */
export function isReadOnly(statement: Sent): boolean {
  if (statement.kind === "VariableShowStmt") return true;
  if (statement.kind !== "SelectStmt" || !statement.ast) return false;
  let readOnly = true;
  const visit = (node: unknown, key?: string): void => {
    if (!readOnly || node === null || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach((n) => visit(n));
    const record = node as Record<string, unknown>;
    if (key === "intoClause" || key === "lockingClause") {
      readOnly = false;
      return;
    }
    for (const [k, value] of Object.entries(record)) {
      if (["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"].includes(k)) {
        readOnly = false;
        return;
      }
      if (k === "FuncCall") {
        const names = ((value as { funcname?: { String?: { sval?: string } }[] }).funcname ?? []).map((n) => n.String?.sval ?? "");
        const name = names[names.length - 1] ?? "";
        if (!READ_ONLY_FUNCTIONS.test(name)) {
          readOnly = false;
          return;
        }
      }
      visit(value, k);
    }
  };
  visit(statement.ast);
  return readOnly;
}
