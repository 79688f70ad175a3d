// Shared by the opt-in column-type hygiene rules (prefer-bigint-over-int, prefer-identity,
// prefer-text-over-varchar, prefer-timestamptz, ban-char-field): the columns a statement
// declares (CREATE TABLE, ADD COLUMN) and a text edit that swaps a column's written type.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { alterCommands, relationName } from "../../src/core/analyze/pg-ast.js";
import type { TextEdit } from "../../src/core/model.js";
import type { Statement } from "../../src/core/parse/index.js";
import { alteredTable, baseTypeName, typeMods } from "./_pg.js";

export interface NewColumn {
  table: string;
  name: string;
  /** Type name without `pg_catalog.`: `int4`, `serial`, `varchar`, `bpchar`, … */
  type: string;
  mods: number[];
  array: boolean;
}

/** Columns declared by CREATE TABLE or ALTER TABLE … ADD COLUMN. */
export function newColumns(statement: Statement): NewColumn[] {
  const defs: { table: string; def: any }[] = [];
  if (statement.kind === "CreateStmt") {
    const table = relationName(statement.ast.relation);
    for (const e of statement.ast.tableElts ?? []) if (e.ColumnDef) defs.push({ table, def: e.ColumnDef });
  }
  const table = alteredTable(statement);
  if (table) {
    for (const c of alterCommands(statement.ast)) if (c.subtype === "AT_AddColumn" && c.def?.ColumnDef) defs.push({ table, def: c.def.ColumnDef });
  }
  return defs
    .filter(({ def }) => def.typeName)
    .map(({ table, def }) => ({
      table,
      name: def.colname,
      type: baseTypeName(def.typeName),
      mods: typeMods(def.typeName),
      array: Boolean(def.typeName.arrayBounds),
    }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Replaces the type written right after column `column` when it matches `typePattern` (a regex
 * source, case-insensitive). Undefined when the text cannot be found unambiguously.
 */
export function replaceColumnType(statement: Statement, column: string, typePattern: string, replacement: string): TextEdit | undefined {
  const name = `(?:"${escapeRegExp(column.replace(/"/g, '""'))}"|${escapeRegExp(column)})`;
  const pattern = new RegExp(`(^|[\\s,(])(${name}\\s+)(${typePattern})(?![\\w$])`, "gi");
  const matches = [...statement.text.matchAll(pattern)];
  if (matches.length !== 1) return undefined;
  const m = matches[0]!;
  const start = statement.span.startOffset + m.index! + m[1]!.length + m[2]!.length;
  return { file: statement.span.file, startOffset: start, endOffset: start + m[3]!.length, replacement };
}
