// What a change does, statement by statement, in words: "add column orders.status",
// "create index orders_status_idx on orders". Shared by the runbook (deployment steps,
// Phase 7 documentation updates) and the commit-format check (schema-changes claims).
/* eslint-disable @typescript-eslint/no-explicit-any */
import { alterCommands, names, relationName, stripPublic, typeName } from "../analyze/pg-ast.js";
import { scriptSource } from "../discover/sections.js";
import { nonTransactionalReason } from "../analyze/transaction.js";
import type { Dialect, Migration, Span } from "../model.js";
import { parseScript, type Statement } from "../parse/index.js";
import type { AnalysisReport } from "../report.js";

export type ChangeCategory = "table" | "column" | "index" | "constraint" | "type" | "view" | "function" | "trigger" | "data" | "setting" | "other";

export interface ChangeItem {
  migrationId: string;
  span: Span;
  category: ChangeCategory;
  /** Lower-case words, e.g. "add column orders.status (text)". */
  text: string;
  /** Names a description of this change should mention (without the `public.` schema). */
  objects: string[];
  /** False for statements PostgreSQL refuses inside a transaction block. */
  transactional: boolean;
  /** Statement text, trimmed. */
  sql: string;
}

export interface MigrationChanges {
  migration: Migration;
  changes: ChangeItem[];
  /** Set when the up script could not be read or parsed; the runbook says so. */
  problem?: string;
}

/** Parses each migration's up script from `sources` and describes its statements. */
export function describeChanges(report: AnalysisReport, sources: Map<string, string>, dialect: Dialect = report.settings.dialect): MigrationChanges[] {
  return report.migrations
    .filter((m) => m.migration.status !== "deleted")
    .map(({ migration, ...server }) => {
      const text = sources.get(migration.up.path);
      if (text === undefined) return { migration, changes: [], problem: `${migration.up.path}: content not available` };
      // A path override may analyze this migration for another server than the report's.
      const script = parseScript(scriptSource(migration.up, text, server.dialect ?? dialect));
      const changes = script.statements.flatMap((s) => describeStatement(s, migration.id, server.postgresVersion ?? report.settings.postgresVersion));
      return { migration, changes };
    });
}

export function describeStatement(statement: Statement, migrationId: string, postgresVersion = 15): ChangeItem[] {
  const base = { migrationId, span: statement.span, sql: statement.text.trim(), transactional: isTransactional(statement, postgresVersion) };
  const item = (category: ChangeCategory, text: string, objects: string[]): ChangeItem => ({
    ...base,
    category,
    text,
    objects: objects.filter(Boolean).map(stripPublic),
  });
  if (statement.dialect !== "postgres") return [item("other", firstWords(statement.text), [])];
  const { kind, ast } = statement;
  switch (kind) {
    case "CreateStmt": {
      const table = relationName(ast.relation);
      return [item("table", `create table ${stripPublic(table)}`, [table])];
    }
    case "AlterTableStmt":
      return alterTable(ast).map((c) => item(c.category, c.text, c.objects));
    case "IndexStmt": {
      const table = relationName(ast.relation);
      const columns = (ast.indexParams ?? []).map((p: any) => p.IndexElem?.name).filter(Boolean);
      const idx = ast.idxname ?? `(unnamed index)`;
      return [item("index", `create ${ast.unique ? "unique " : ""}index ${idx} on ${stripPublic(table)}${columns.length ? ` (${columns.join(", ")})` : ""}${ast.concurrent ? " concurrently" : ""}`, [idx, table])];
    }
    case "DropStmt": {
      const what = String(ast.removeType ?? "").replace(/^OBJECT_/, "").toLowerCase().replace(/_/g, " ");
      const objs = (ast.objects ?? []).map((o: any) => names(o.List?.items ?? (Array.isArray(o) ? o : [o])).join("."));
      const category: ChangeCategory = what === "index" ? "index" : what === "table" ? "table" : what === "view" || what === "matview" ? "view" : what === "function" ? "function" : what === "trigger" ? "trigger" : what === "type" ? "type" : "other";
      return [item(category, `drop ${what} ${objs.join(", ")}${ast.concurrent ? " concurrently" : ""}`, objs)];
    }
    case "RenameStmt": {
      const table = relationName(ast.relation);
      if (ast.renameType === "OBJECT_COLUMN") return [item("column", `rename column ${stripPublic(table)}.${ast.subname} to ${ast.newname}`, [ast.subname, ast.newname])];
      const what = String(ast.renameType ?? "").replace(/^OBJECT_/, "").toLowerCase();
      const from = table || ast.subname || names(ast.object?.List?.items).join(".");
      return [item(what === "table" ? "table" : "other", `rename ${what} ${stripPublic(from)} to ${ast.newname}`, [from, ast.newname])];
    }
    case "UpdateStmt":
    case "DeleteStmt":
    case "InsertStmt": {
      const table = relationName(ast.relation);
      const verb = kind === "UpdateStmt" ? "update rows of" : kind === "DeleteStmt" ? "delete rows from" : "insert rows into";
      const where = kind !== "InsertStmt" && !ast.whereClause ? " (every row)" : "";
      return [item("data", `${verb} ${stripPublic(table)}${where}`, [table])];
    }
    case "CreateEnumStmt":
      return [item("type", `create enum ${names(ast.typeName).join(".")}`, [names(ast.typeName).join(".")])];
    case "AlterEnumStmt":
      return [item("type", `add value '${ast.newVal}' to enum ${names(ast.typeName).join(".")}`, [names(ast.typeName).join(".")])];
    case "ViewStmt":
      return [item("view", `create view ${relationName(ast.view)}`, [relationName(ast.view)])];
    case "CreateTableAsStmt":
      return [item("view", `create ${ast.objtype === "OBJECT_MATVIEW" ? "materialized view" : "table"} ${relationName(ast.into?.rel)}`, [relationName(ast.into?.rel)])];
    case "CreateFunctionStmt":
      return [item("function", `create ${ast.is_procedure ? "procedure" : "function"} ${names(ast.funcname).join(".")}`, [names(ast.funcname).join(".")])];
    case "CreateTrigStmt":
      return [item("trigger", `create trigger ${ast.trigname} on ${stripPublic(relationName(ast.relation))}`, [ast.trigname, relationName(ast.relation)])];
    case "CreateSeqStmt":
      return [item("other", `create sequence ${relationName(ast.sequence)}`, [relationName(ast.sequence)])];
    case "ReindexStmt":
      return [item("index", `reindex ${relationName(ast.relation) || ast.name || ""}`.trim(), [relationName(ast.relation)])];
    case "CommentStmt":
      return [item("other", "comment on an object", [])];
    case "VariableSetStmt":
    case "TransactionStmt":
      return [item("setting", firstWords(statement.text), [])];
    default:
      return [item("other", firstWords(statement.text), [])];
  }
}

interface AlterItem {
  category: ChangeCategory;
  text: string;
  objects: string[];
}

function alterTable(ast: any): AlterItem[] {
  const table = relationName(ast.relation);
  const t = stripPublic(table);
  if (ast.objtype === "OBJECT_INDEX") return [{ category: "index", text: `alter index ${t}`, objects: [table] }];
  return alterCommands(ast).map((cmd: any): AlterItem => {
    const column = cmd.def?.ColumnDef?.colname ?? cmd.name;
    const constraint = cmd.def?.Constraint;
    switch (cmd.subtype) {
      case "AT_AddColumn":
        return { category: "column", text: `add column ${t}.${column} (${typeName(cmd.def.ColumnDef.typeName)})`, objects: [column, table] };
      case "AT_DropColumn":
        return { category: "column", text: `drop column ${t}.${column}`, objects: [column, table] };
      case "AT_AlterColumnType":
        return { category: "column", text: `change type of ${t}.${column} to ${typeName(cmd.def?.ColumnDef?.typeName)}`, objects: [column, table] };
      case "AT_SetNotNull":
        return { category: "column", text: `set not null on ${t}.${column}`, objects: [column, table] };
      case "AT_DropNotNull":
        return { category: "column", text: `drop not null on ${t}.${column}`, objects: [column, table] };
      case "AT_ColumnDefault":
        return { category: "column", text: `${cmd.def ? "set" : "drop"} default of ${t}.${column}`, objects: [column, table] };
      case "AT_AddConstraint": {
        const type = String(constraint?.contype ?? "").replace(/^CONSTR_/, "").toLowerCase().replace("foreign", "foreign key");
        const name = constraint?.conname ?? `(unnamed ${type})`;
        return { category: "constraint", text: `add ${type} constraint ${name} on ${t}${constraint?.skip_validation ? " not valid" : ""}`, objects: [name, table] };
      }
      case "AT_ValidateConstraint":
        return { category: "constraint", text: `validate constraint ${cmd.name} on ${t}`, objects: [cmd.name, table] };
      case "AT_DropConstraint":
        return { category: "constraint", text: `drop constraint ${cmd.name} on ${t}`, objects: [cmd.name, table] };
      default:
        return { category: "table", text: `alter table ${t} (${String(cmd.subtype).replace(/^AT_/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()})`, objects: [table] };
    }
  });
}

/** Statements PostgreSQL refuses inside a transaction block (run them on their own). */
export function isTransactional(statement: Statement, postgresVersion = 15): boolean {
  return nonTransactionalReason(statement, postgresVersion) === undefined;
}

function firstWords(text: string): string {
  const flat = text.replace(/--[^\n]*\n/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}…` : flat;
}
