// What a statement does to a table's data while it holds its locks: rewrite it, scan it,
// build an index, change rows, or only touch the catalog. The risk model turns this and the
// table's size into a duration. PostgreSQL facts from the ALTER TABLE docs' notes on rewrites.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { alterCommands, calledFunctions, relationName, typeName } from "../analyze/pg-ast.js";
import type { Statement } from "../parse/index.js";

export const WORKS = ["none", "metadata only", "scan", "index build", "scan and index build", "data change", "copy", "rewrite"] as const;
export type Work = (typeof WORKS)[number];

export interface StatementWork {
  work: Work;
  /** The relation whose size drives the cost (the rewritten table, the indexed table…). */
  relation?: string;
  /** An UPDATE/DELETE that touches every row (no WHERE). */
  wholeTable?: boolean;
  /** Why, in a few words ("volatile default", "CHECK without NOT VALID"). */
  note?: string;
  /** A REINDEX of one index: the cost follows that index's size. */
  index?: string;
  /** The AST alone cannot tell (e.g. a type change that may be binary-coercible); a rule may know. */
  uncertain?: boolean;
  /** A scan PostgreSQL runs as its own query (a FOREIGN KEY check, VALIDATE, ATTACH PARTITION),
   * never folded into the one pass an ALTER TABLE makes over the table. */
  ownScan?: boolean;
}

export function workRank(work: Work): number {
  return WORKS.indexOf(work);
}

export function heavier(a: StatementWork, b: StatementWork): StatementWork {
  return workRank(b.work) > workRank(a.work) ? b : a;
}

/** Works whose duration grows with the table. */
export function isSizeDependent(work: Work): boolean {
  return work !== "none" && work !== "metadata only";
}

/** Maps a rule's `docs.work` to the model's vocabulary. */
export function fromRuleWork(work: string | undefined): Work | undefined {
  return (WORKS as readonly string[]).includes(work ?? "") ? (work as Work) : undefined;
}

// Built-ins that make an ADD COLUMN default volatile (a rewrite even on PostgreSQL 11+).
const VOLATILE_DEFAULTS = new Set([
  "random",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "uuidv4",
  "uuidv7",
  "clock_timestamp",
  "timeofday",
  "nextval",
  "txid_current",
]);
// Functions a default may call and stay non-volatile (evaluated once when the column is added).
const STABLE_DEFAULTS = new Set(["now", "current_timestamp", "transaction_timestamp", "statement_timestamp", "current_date", "localtimestamp", "current_user", "session_user", "lower", "upper", "coalesce", "jsonb_build_object", "json_build_object", "array"]);
const SERIAL_TYPES = new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);
// ALTER COLUMN … TYPE targets that are binary-coercible from varchar/text (no rewrite).
const TEXT_TARGETS = /^(text|varchar(\(\d+\))?|citext)$/;

const NONE: StatementWork = { work: "none" };

export function statementWork(statement: Statement, postgresVersion: number): StatementWork {
  if (statement.dialect !== "postgres") return NONE;
  const { kind, ast } = statement;
  switch (kind) {
    case "IndexStmt":
      return {
        work: "index build",
        relation: relationName(ast.relation),
        note: ast.concurrent ? "CONCURRENTLY: two table scans, reads and writes continue" : undefined,
      };
    case "AlterTableStmt":
      if (ast.objtype === "OBJECT_INDEX") return { work: "metadata only", relation: relationName(ast.relation) };
      return alterTableWork(ast, postgresVersion);
    case "ClusterStmt":
      return { work: "rewrite", relation: ast.relation ? relationName(ast.relation) : undefined, note: "CLUSTER" };
    case "VacuumStmt": {
      const full = (ast.options ?? []).some((o: any) => o.DefElem?.defname === "full");
      const relation = ast.rels?.[0] ? relationName(ast.rels[0].VacuumRelation?.relation) : undefined;
      return full ? { work: "rewrite", relation, note: "VACUUM FULL" } : { work: "scan", relation, note: "VACUUM" };
    }
    case "ReindexStmt": {
      const onIndex = ast.kind === "REINDEX_OBJECT_INDEX";
      const relation = ast.relation ? relationName(ast.relation) : undefined;
      return onIndex ? { work: "index build", index: relation, note: "REINDEX INDEX" } : { work: "index build", relation, note: "REINDEX" };
    }
    case "RefreshMatViewStmt":
      return { work: "rewrite", relation: relationName(ast.relation), note: "refresh recomputes the view" };
    case "UpdateStmt":
    case "DeleteStmt":
      return {
        work: "data change",
        relation: relationName(ast.relation),
        wholeTable: !ast.whereClause,
        note: ast.whereClause ? "rows matched by the WHERE clause" : "every row",
      };
    case "InsertStmt": {
      const source = singleSource(ast.selectStmt);
      return source ? { work: "copy", relation: source, note: `INSERT … SELECT from ${source}` } : { work: "none" };
    }
    case "CreateTableAsStmt": {
      const source = singleSource(ast.query);
      return source ? { work: "copy", relation: source, note: `CREATE TABLE AS from ${source}` } : { work: "none" };
    }
    case "TruncateStmt":
    case "DropStmt":
    case "RenameStmt":
    case "CreateStmt":
    case "CreateTrigStmt":
    case "ViewStmt":
    case "CreateFunctionStmt":
    case "CommentStmt":
    case "GrantStmt":
      return { work: "metadata only" };
    default:
      return NONE;
  }
}

/**
 * The part of an ALTER TABLE's work PostgreSQL does in its single pass over the table: a rewrite,
 * or the scan that checks SET NOT NULL and validated CHECK constraints. Index builds and FOREIGN KEY
 * checks run separately whether or not the subcommands are combined (measured on PostgreSQL 15:
 * SET NOT NULL with ADD CHECK in one statement scans once; with a FOREIGN KEY or UNIQUE it still
 * scans again for each), so only this part is saved by combining statements.
 */
export function tablePassWork(statement: Statement, postgresVersion: number): StatementWork | undefined {
  if (statement.dialect !== "postgres" || statement.kind !== "AlterTableStmt" || statement.ast.objtype === "OBJECT_INDEX") return undefined;
  const relation = relationName(statement.ast.relation);
  let result: StatementWork | undefined;
  for (const cmd of alterCommands(statement.ast)) {
    const work = { relation, ...commandWork(cmd, postgresVersion) };
    const inPass = work.work === "rewrite" || (work.work === "scan" && !work.ownScan);
    if (inPass) result = result ? heavier(result, work) : work;
  }
  return result;
}

function alterTableWork(ast: any, postgresVersion: number): StatementWork {
  const relation = relationName(ast.relation);
  let result: StatementWork = { work: "metadata only", relation };
  for (const cmd of alterCommands(ast)) {
    result = heavier(result, { relation, ...commandWork(cmd, postgresVersion) });
  }
  return result;
}

function commandWork(cmd: any, postgresVersion: number): Omit<StatementWork, "relation"> {
  const constraint = cmd.def?.Constraint;
  switch (cmd.subtype) {
    case "AT_AddColumn":
      return addColumnWork(cmd.def?.ColumnDef, postgresVersion);
    case "AT_AlterColumnType": {
      const target = typeName(cmd.def?.ColumnDef?.typeName);
      if (TEXT_TARGETS.test(target) && !cmd.def?.ColumnDef?.raw_default) {
        return { work: "metadata only", uncertain: true, note: `to ${target}: no rewrite if the column is already varchar/text (binary-coercible)` };
      }
      return { work: "rewrite", note: `column ${cmd.name} to ${target}` };
    }
    case "AT_SetNotNull":
      return { work: "scan", note: `SET NOT NULL checks every row of ${cmd.name}` };
    case "AT_AddConstraint":
      return constraintWork(constraint);
    case "AT_ValidateConstraint":
      return { work: "scan", note: `VALIDATE CONSTRAINT ${cmd.name}`, ownScan: true };
    case "AT_SetLogged":
    case "AT_SetUnLogged":
    case "AT_SetAccessMethod":
      return { work: "rewrite", note: cmd.subtype.replace("AT_", "") };
    case "AT_SetTableSpace":
      return { work: "copy", note: "SET TABLESPACE copies the files" };
    case "AT_AttachPartition":
      return { work: "scan", note: "ATTACH PARTITION checks the partition's rows unless a matching CHECK exists", ownScan: true };
    default:
      return { work: "metadata only" };
  }
}

function addColumnWork(column: any, postgresVersion: number): Omit<StatementWork, "relation"> {
  if (!column) return { work: "metadata only" };
  const type = typeName(column.typeName);
  if (SERIAL_TYPES.has(type)) return { work: "rewrite", note: `${type} column fills every row` };
  let result: Omit<StatementWork, "relation"> = { work: "metadata only" };
  for (const c of column.constraints ?? []) {
    const con = c.Constraint;
    if (!con) continue;
    if (con.contype === "CONSTR_IDENTITY") return { work: "rewrite", note: "identity column fills every row" };
    if (con.contype === "CONSTR_GENERATED") return { work: "rewrite", note: "stored generated column computes every row" };
    if (con.contype === "CONSTR_DEFAULT") {
      if (postgresVersion < 11) return { work: "rewrite", note: "a default rewrites the table before PostgreSQL 11" };
      const volatile = calledFunctions(con.raw_expr).filter((f) => !STABLE_DEFAULTS.has(f.split(".").pop()!.toLowerCase()) && !/^SVFOP_/.test(f));
      if (volatile.length) {
        const known = volatile.every((f) => VOLATILE_DEFAULTS.has(f.split(".").pop()!.toLowerCase()));
        return { work: "rewrite", note: `${known ? "volatile" : "possibly volatile"} default ${volatile[0]}()` };
      }
    }
    if (con.contype === "CONSTR_PRIMARY" || con.contype === "CONSTR_UNIQUE") result = { work: "scan and index build", note: "UNIQUE/PRIMARY KEY column builds an index" };
    // A new column without a default is all NULL: PostgreSQL skips checking its FOREIGN KEY
    // (measured on PostgreSQL 15: no scan); a CHECK is still evaluated over every row.
    const filled = (column.constraints ?? []).some((x: any) => x.Constraint?.contype === "CONSTR_DEFAULT" && !x.Constraint.raw_expr?.A_Const?.isnull);
    if (con.contype === "CONSTR_FOREIGN" && !filled) continue;
    if ((con.contype === "CONSTR_CHECK" || con.contype === "CONSTR_FOREIGN") && !con.skip_validation && workRank(result.work) < workRank("scan")) {
      result = { work: "scan", note: "column constraint validated over every row", ownScan: con.contype === "CONSTR_FOREIGN" || undefined };
    }
  }
  return result;
}

function constraintWork(constraint: any): Omit<StatementWork, "relation"> {
  if (!constraint) return { work: "metadata only" };
  const name = constraint.conname ? ` ${constraint.conname}` : "";
  switch (constraint.contype) {
    case "CONSTR_CHECK":
    case "CONSTR_FOREIGN":
      return constraint.skip_validation
        ? { work: "metadata only", note: `NOT VALID constraint${name}` }
        : constraint.contype === "CONSTR_FOREIGN"
          ? { work: "scan", note: `FOREIGN KEY${name} validated over every row`, ownScan: true }
          : { work: "scan", note: `CHECK${name} validated over every row` };
    case "CONSTR_PRIMARY":
    case "CONSTR_UNIQUE":
      // PRIMARY KEY USING INDEX sets its columns NOT NULL: a scan unless they already are (measured on PostgreSQL 15).
      return constraint.indexname
        ? constraint.contype === "CONSTR_PRIMARY"
          ? { work: "scan", uncertain: true, note: `USING INDEX ${constraint.indexname}: checks every row for NULLs unless the columns are already NOT NULL` }
          : { work: "metadata only", note: `USING INDEX ${constraint.indexname}` }
        : { work: "scan and index build", note: `${constraint.contype === "CONSTR_PRIMARY" ? "PRIMARY KEY" : "UNIQUE"}${name} builds an index` };
    case "CONSTR_EXCLUSION":
      return { work: "scan and index build", note: `EXCLUDE${name} builds an index` };
    default:
      return { work: "metadata only" };
  }
}

/** `SELECT … FROM one_table` (the source of a copy), else undefined. */
function singleSource(select: any): string | undefined {
  const from = select?.SelectStmt?.fromClause;
  if (!from || from.length !== 1 || !from[0].RangeVar) return undefined;
  return relationName(from[0].RangeVar);
}

/** Relations a statement names as its target (for objects affected and created-in-change tracking). */
export function createdTable(statement: Statement): string | undefined {
  if (statement.dialect !== "postgres") return undefined;
  if (statement.kind === "CreateStmt") return relationName(statement.ast.relation);
  if (statement.kind === "CreateTableAsStmt") return relationName(statement.ast.into?.rel);
  return undefined;
}
