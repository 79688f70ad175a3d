// Which table-level locks a PostgreSQL statement takes, per relation (the lock table of
// https://www.postgresql.org/docs/current/explicit-locking.html and ALTER TABLE's docs).
// Used by the risk model, lock_timeout rules and "statements after ACCESS EXCLUSIVE".
/* eslint-disable @typescript-eslint/no-explicit-any */
import { LockMode, type LockFact } from "../model.js";
import type { Statement } from "../parse/index.js";
import { alterCommands, names, relationName } from "./pg-ast.js";

/** The schema lists the modes weakest first, in the order of PostgreSQL's conflict table. */
const ORDER: readonly LockMode[] = LockMode.options;

export function lockRank(mode: LockMode): number {
  return ORDER.indexOf(mode);
}

export function strongest(a: LockMode | undefined, b: LockMode): LockMode {
  return a === undefined || lockRank(b) > lockRank(a) ? b : a;
}

/** What each lock mode blocks, in words a reviewer can act on. */
export function blockedBy(mode: LockMode): string {
  switch (mode) {
    case "ACCESS EXCLUSIVE":
      return "all reads and writes";
    case "EXCLUSIVE":
      return "writes and SELECT … FOR UPDATE/SHARE (plain reads continue)";
    case "SHARE ROW EXCLUSIVE":
    case "SHARE":
      return "writes (INSERT, UPDATE, DELETE); reads continue";
    case "SHARE UPDATE EXCLUSIVE":
      return "other schema changes, VACUUM and concurrent index builds; reads and writes continue";
    case "ROW EXCLUSIVE":
    case "ROW SHARE":
    case "ACCESS SHARE":
      return "only conflicting schema changes";
  }
}

/** Modes that block ordinary application reads or writes. */
export function blocksTraffic(mode: LockMode): boolean {
  return lockRank(mode) >= lockRank("SHARE");
}

/** ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (per the ALTER TABLE docs). */
const ALTER_LOCKS: Record<string, LockMode> = {
  AT_ValidateConstraint: "SHARE UPDATE EXCLUSIVE",
  AT_SetStatistics: "SHARE UPDATE EXCLUSIVE",
  AT_ClusterOn: "SHARE UPDATE EXCLUSIVE",
  AT_DropCluster: "SHARE UPDATE EXCLUSIVE",
  AT_SetRelOptions: "SHARE UPDATE EXCLUSIVE",
  AT_ResetRelOptions: "SHARE UPDATE EXCLUSIVE",
  AT_EnableTrig: "SHARE ROW EXCLUSIVE",
  AT_DisableTrig: "SHARE ROW EXCLUSIVE",
  AT_EnableTrigAll: "SHARE ROW EXCLUSIVE",
  AT_DisableTrigAll: "SHARE ROW EXCLUSIVE",
  AT_EnableTrigUser: "SHARE ROW EXCLUSIVE",
  AT_DisableTrigUser: "SHARE ROW EXCLUSIVE",
  AT_AttachPartition: "SHARE UPDATE EXCLUSIVE",
};

/** The table an index belongs to, when the analyzed migrations created it. */
export type IndexTable = (index: string) => string | undefined;

/**
 * The locks a statement takes, per relation. `indexTable` names the table behind an index:
 * DROP INDEX takes ACCESS EXCLUSIVE on the index's table, which is what readers and writers wait for.
 */
export function statementLocks(statement: Statement, indexTable?: IndexTable): LockFact[] {
  if (statement.dialect !== "postgres") return [];
  const { kind, ast } = statement;
  const lock = (relation: string, mode: LockMode): LockFact => ({ relation, mode });
  switch (kind) {
    case "IndexStmt":
      return [lock(relationName(ast.relation), ast.concurrent ? "SHARE UPDATE EXCLUSIVE" : "SHARE")];
    case "AlterTableStmt": {
      if (ast.objtype === "OBJECT_INDEX") return [lock(relationName(ast.relation), "ACCESS EXCLUSIVE")];
      const table = relationName(ast.relation);
      let mode: LockMode | undefined;
      const extra: LockFact[] = [];
      for (const cmd of alterCommands(ast)) {
        const constraint = cmd.def?.Constraint;
        let cmdMode: LockMode = ALTER_LOCKS[cmd.subtype] ?? "ACCESS EXCLUSIVE";
        if (cmd.subtype === "AT_AddConstraint" && constraint?.contype === "CONSTR_FOREIGN") {
          cmdMode = "SHARE ROW EXCLUSIVE";
          extra.push(lock(relationName(constraint.pktable), "SHARE ROW EXCLUSIVE"));
        }
        const partition = relationName(cmd.def?.PartitionCmd?.name);
        if (cmd.subtype === "AT_DetachPartition") {
          // Measured on PostgreSQL 15: plain DETACH takes ACCESS EXCLUSIVE on parent and partition;
          // CONCURRENTLY takes SHARE UPDATE EXCLUSIVE on the parent, and its second transaction
          // still ACCESS EXCLUSIVE on the partition (it waits behind the partition's readers).
          if (cmd.def?.PartitionCmd?.concurrent) cmdMode = "SHARE UPDATE EXCLUSIVE";
          if (partition) extra.push(lock(partition, "ACCESS EXCLUSIVE"));
        }
        if (cmd.subtype === "AT_AttachPartition" && partition) extra.push(lock(partition, "ACCESS EXCLUSIVE"));
        if (cmd.subtype === "AT_AddColumn") {
          for (const c of cmd.def?.ColumnDef?.constraints ?? []) {
            if (c.Constraint?.contype === "CONSTR_FOREIGN") {
              extra.push(lock(relationName(c.Constraint.pktable), "SHARE ROW EXCLUSIVE"));
            }
          }
        }
        mode = strongest(mode, cmdMode);
      }
      return mergeLocks([lock(table, mode ?? "ACCESS EXCLUSIVE"), ...extra]);
    }
    case "RenameStmt":
    case "DropStmt":
      if (ast.removeType === "OBJECT_INDEX") return targetsOf(kind, ast).map((t) => lock(indexTable?.(t) ?? t, "ACCESS EXCLUSIVE"));
      return targetsOf(kind, ast).map((t) => lock(t, "ACCESS EXCLUSIVE"));
    case "TruncateStmt":
    case "ClusterStmt":
      return targetsOf(kind, ast).map((t) => lock(t, "ACCESS EXCLUSIVE"));
    case "ReindexStmt": {
      if (!ast.relation) return [];
      // REINDEX TABLE: SHARE on the table (ACCESS EXCLUSIVE on each index); REINDEX INDEX: the index.
      const concurrent = reindexConcurrent(ast);
      const onIndex = ast.kind === "REINDEX_OBJECT_INDEX";
      const mode: LockMode = concurrent ? "SHARE UPDATE EXCLUSIVE" : onIndex ? "ACCESS EXCLUSIVE" : "SHARE";
      return [lock(relationName(ast.relation), mode)];
    }
    case "VacuumStmt": {
      const full = (ast.options ?? []).some((o: any) => o.DefElem?.defname === "full");
      return (ast.rels ?? []).map((r: any) =>
        lock(relationName(r.VacuumRelation?.relation), full ? "ACCESS EXCLUSIVE" : "SHARE UPDATE EXCLUSIVE"),
      );
    }
    case "RefreshMatViewStmt":
      return [lock(relationName(ast.relation), ast.concurrent ? "EXCLUSIVE" : "ACCESS EXCLUSIVE")];
    case "CreateTrigStmt":
      return [lock(relationName(ast.relation), "SHARE ROW EXCLUSIVE")];
    case "LockStmt":
      return (ast.relations ?? []).map((r: any) => lock(relationName(r.RangeVar), lockStmtMode(ast.mode)));
    case "UpdateStmt":
    case "DeleteStmt":
    case "InsertStmt":
    case "MergeStmt":
      return [lock(relationName(ast.relation), "ROW EXCLUSIVE")];
    case "CommentStmt": {
      // Measured on PostgreSQL 15: COMMENT ON TABLE / COLUMN takes SHARE UPDATE EXCLUSIVE on the table.
      const items = names(ast.object?.List?.items);
      if (ast.objtype === "OBJECT_COLUMN") return items.length > 1 ? [lock(items.slice(0, -1).join("."), "SHARE UPDATE EXCLUSIVE")] : [];
      return COMMENTED_RELATIONS.has(ast.objtype) && items.length ? [lock(items.join("."), "SHARE UPDATE EXCLUSIVE")] : [];
    }
    case "CreatePolicyStmt":
    case "AlterPolicyStmt":
      // Measured on PostgreSQL 15: ACCESS EXCLUSIVE on the table (brief: no data is read).
      return ast.table ? [lock(relationName(ast.table), "ACCESS EXCLUSIVE")] : [];
    case "CreateStatsStmt":
      return (ast.relations ?? []).map((r: any) => lock(relationName(r.RangeVar), "SHARE UPDATE EXCLUSIVE"));
    case "ViewStmt":
      // CREATE OR REPLACE VIEW: ACCESS EXCLUSIVE on the view it replaces (measured on PostgreSQL 15).
      return ast.replace ? [lock(relationName(ast.view), "ACCESS EXCLUSIVE")] : [];
    case "CreateStmt": {
      const refs: LockFact[] = [];
      // CREATE TABLE … PARTITION OF: ACCESS EXCLUSIVE on the parent (and on its DEFAULT partition,
      // which it scans, when there is one), measured on PostgreSQL 15.
      if (ast.partbound) for (const parent of ast.inhRelations ?? []) refs.push(lock(relationName(parent.RangeVar), "ACCESS EXCLUSIVE"));
      for (const elt of ast.tableElts ?? []) {
        const constraints = elt.ColumnDef ? elt.ColumnDef.constraints ?? [] : elt.Constraint ? [elt] : [];
        for (const c of constraints) {
          if (c.Constraint?.contype === "CONSTR_FOREIGN") refs.push(lock(relationName(c.Constraint.pktable), "SHARE ROW EXCLUSIVE"));
        }
      }
      return mergeLocks(refs);
    }
    default:
      return [];
  }
}

/** One fact per relation, the strongest mode. */
function mergeLocks(locks: LockFact[]): LockFact[] {
  const byRelation = new Map<string, LockMode>();
  for (const l of locks) byRelation.set(l.relation, strongest(byRelation.get(l.relation), l.mode));
  return [...byRelation].map(([relation, mode]) => ({ relation, mode }));
}

/** REINDEX … CONCURRENTLY (the option sits in `params`). */
export function reindexConcurrent(ast: any): boolean {
  return (ast.params ?? []).some((p: any) => p.DefElem?.defname === "concurrently");
}

function targetsOf(kind: string, ast: any): string[] {
  if (kind === "TruncateStmt") return (ast.relations ?? []).map((r: any) => relationName(r.RangeVar));
  if (kind === "ClusterStmt" || kind === "ReindexStmt") return ast.relation ? [relationName(ast.relation)] : [];
  if (kind === "RenameStmt") return ast.relation ? [relationName(ast.relation)] : [];
  if (kind === "DropStmt" && ast.removeType === "OBJECT_TRIGGER") {
    // DROP TRIGGER name ON table: the objects list is [schema…, table, trigger].
    return (ast.objects ?? []).map((o: any) => names(o.List?.items).slice(0, -1).join("."));
  }
  if (kind === "DropStmt" && DROPPED_RELATIONS.has(ast.removeType)) {
    if (ast.concurrent) return [];
    return (ast.objects ?? []).map((o: any) =>
      (o.List?.items ?? [])
        .map((i: any) => i.String?.sval)
        .filter(Boolean)
        .join("."),
    );
  }
  return [];
}

const COMMENTED_RELATIONS = new Set(["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_INDEX", "OBJECT_SEQUENCE", "OBJECT_FOREIGN_TABLE"]);

const DROPPED_RELATIONS = new Set(["OBJECT_TABLE", "OBJECT_INDEX", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE", "OBJECT_FOREIGN_TABLE"]);

function lockStmtMode(mode: number | undefined): LockMode {
  // LOCK TABLE's mode numbers follow lockdefs.h (1 = ACCESS SHARE … 8 = ACCESS EXCLUSIVE).
  return ORDER[(mode ?? 8) - 1] ?? "ACCESS EXCLUSIVE";
}
