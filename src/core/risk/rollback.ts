// How hard a migration is to roll back, from its up/down pair: does the down undo every
// change the up makes, and can it bring back the data the up destroys?
/* eslint-disable @typescript-eslint/no-explicit-any */
import { alterCommands, names, relationName, stripPublic, typeName, walk } from "../analyze/pg-ast.js";
import { alterOf, tableKey } from "../analyze/mysql-ast.js";
import type { Migration } from "../model.js";
import type { ParsedScript, Statement } from "../parse/index.js";
import type { RollbackComplexity } from "../report.js";

export interface RollbackResult {
  complexity: RollbackComplexity;
  reasons: string[];
}

const key = (name: string) => stripPublic(name.toLowerCase());

/** Changes a script makes, as comparable keys: `table:orders`, `column:orders.note`, … */
interface Effects {
  created: Map<string, string>;
  dropped: Map<string, string>;
  /** `renamed:<kind>:<from>→<to>` → description. */
  renamed: Map<string, { kind: string; from: string; to: string }>;
  /** column key → target type */
  retyped: Map<string, string>;
  setNotNull: Set<string>;
  dropNotNull: Set<string>;
  /** Data the up destroys: description of each destructive statement. */
  destroys: { what: string; table: string; column?: string }[];
  /** Tables whose rows the up copies somewhere before destroying them. */
  copiedFrom: Set<string>;
  /** Tables whose columns the up adds (`orders.note`), to tell backfills from overwrites. */
  addedColumns: Set<string>;
  /** index key → its table */
  indexTables: Map<string, string>;
  raises: boolean;
  opaque: string[];
}

function emptyEffects(): Effects {
  return {
    created: new Map(),
    dropped: new Map(),
    renamed: new Map(),
    retyped: new Map(),
    setNotNull: new Set(),
    dropNotNull: new Set(),
    destroys: [],
    copiedFrom: new Set(),
    addedColumns: new Set(),
    indexTables: new Map(),
    raises: false,
    opaque: [],
  };
}

export function rollbackComplexity(migration: Migration, up: ParsedScript | undefined, down: ParsedScript | undefined): RollbackResult {
  if (!migration.rollbackExpected) return { complexity: "not-expected", reasons: [`${migration.layout} migrations have no down script by design`] };
  if (!migration.down || !down) return { complexity: "missing", reasons: ["no rollback script"] };
  if (down.statements.length === 0) return { complexity: "missing", reasons: [`the rollback script ${down.file} has no statements`] };
  const upEffects = effectsOf(up?.statements ?? []);
  const downEffects = effectsOf(down.statements);
  if (downEffects.raises) return { complexity: "irreversible", reasons: ["the rollback script raises an error instead of undoing the change"] };

  const notUndone = missingUndo(upEffects, downEffects);
  const lost = dataLoss(upEffects, downEffects);
  const reasons: string[] = [];
  if (notUndone.length) reasons.push(`the rollback does not undo: ${notUndone.join("; ")}`);
  reasons.push(...lost);
  if (upEffects.opaque.length) reasons.push(`not checked: ${upEffects.opaque.join(", ")} in the up script`);
  if (notUndone.length) return { complexity: "irreversible", reasons };
  if (lost.length) return { complexity: "lossy", reasons };
  return { complexity: "reversible", reasons };
}

function effectsOf(statements: Statement[]): Effects {
  const effects = emptyEffects();
  for (const statement of statements) {
    if (statement.dialect === "postgres") postgresEffects(statement, effects);
    else mysqlEffects(statement, effects);
  }
  return effects;
}

function postgresEffects({ kind, ast }: Statement, e: Effects): void {
  switch (kind) {
    case "CreateStmt":
      e.created.set(`table:${key(relationName(ast.relation))}`, `table ${relationName(ast.relation)}`);
      break;
    case "CreateTableAsStmt": {
      const name = relationName(ast.into?.rel);
      e.created.set(`${ast.objtype === "OBJECT_MATVIEW" ? "view" : "table"}:${key(name)}`, `${ast.objtype === "OBJECT_MATVIEW" ? "materialized view" : "table"} ${name}`);
      walk(ast.query, (n) => n?.RangeVar && e.copiedFrom.add(key(relationName(n.RangeVar))));
      break;
    }
    case "InsertStmt":
      walk(ast.selectStmt, (n) => n?.RangeVar && e.copiedFrom.add(key(relationName(n.RangeVar))));
      break;
    case "IndexStmt":
      if (ast.idxname) {
        e.created.set(`index:${key(ast.idxname)}`, `index ${ast.idxname}`);
        e.indexTables.set(`index:${key(ast.idxname)}`, key(relationName(ast.relation)));
      }
      break;
    case "ViewStmt":
      e.created.set(`view:${key(relationName(ast.view))}`, `view ${relationName(ast.view)}`);
      break;
    case "CreateTrigStmt":
      e.created.set(`trigger:${key(relationName(ast.relation))}.${ast.trigname.toLowerCase()}`, `trigger ${ast.trigname}`);
      break;
    case "CreateFunctionStmt":
      e.created.set(`function:${key(names(ast.funcname).join("."))}`, `function ${names(ast.funcname).join(".")}`);
      break;
    case "CreateEnumStmt":
    case "CompositeTypeStmt":
      e.created.set(`type:${key(names(ast.typeName ?? ast.typevar?.relname).join("."))}`, `type ${names(ast.typeName).join(".")}`);
      break;
    case "AlterTableStmt":
      if (ast.objtype === "OBJECT_TABLE" || ast.objtype === undefined) alterEffects(ast, e);
      break;
    case "DropStmt":
      dropEffects(ast, e);
      break;
    case "RenameStmt":
      renameEffects(ast, e);
      break;
    case "TruncateStmt":
      for (const r of ast.relations ?? []) e.destroys.push({ what: `TRUNCATE ${relationName(r.RangeVar)} deletes every row`, table: key(relationName(r.RangeVar)) });
      break;
    case "DeleteStmt":
      e.destroys.push({ what: `DELETE FROM ${relationName(ast.relation)} removes rows`, table: key(relationName(ast.relation)) });
      break;
    case "UpdateStmt": {
      const table = key(relationName(ast.relation));
      const columns = (ast.targetList ?? []).map((t: any) => String(t.ResTarget?.name ?? "").toLowerCase());
      const overwritten = columns.filter((c: string) => !e.addedColumns.has(`${table}.${c}`));
      if (overwritten.length) e.destroys.push({ what: `UPDATE ${relationName(ast.relation)} overwrites ${overwritten.join(", ")}`, table, column: overwritten[0] });
      break;
    }
    case "DoStmt": {
      const body = (ast.args ?? []).map((a: any) => a.DefElem?.arg?.String?.sval ?? "").join("\n");
      if (/\bRAISE\s+EXCEPTION\b/i.test(body)) e.raises = true;
      else e.opaque.push("a DO block");
      break;
    }
    case "SelectStmt": {
      let raises = false;
      walk(ast, (n) => {
        if (n?.FuncCall && /(^|\.)(raise|raise_exception|raise_error|error)$/i.test(names(n.FuncCall.funcname).join("."))) raises = true;
      });
      if (raises) e.raises = true;
      break;
    }
    default:
      break;
  }
}

function alterEffects(ast: any, e: Effects): void {
  const table = key(relationName(ast.relation));
  for (const cmd of alterCommands(ast)) {
    const column = `${table}.${String(cmd.name ?? cmd.def?.ColumnDef?.colname ?? "").toLowerCase()}`;
    switch (cmd.subtype) {
      case "AT_AddColumn": {
        const added = `${table}.${String(cmd.def?.ColumnDef?.colname).toLowerCase()}`;
        e.created.set(`column:${added}`, `column ${added}`);
        e.addedColumns.add(added);
        break;
      }
      case "AT_DropColumn":
        e.dropped.set(`column:${column}`, `column ${column}`);
        e.destroys.push({ what: `dropping column ${column} discards its data`, table, column: String(cmd.name).toLowerCase() });
        break;
      case "AT_AlterColumnType":
        e.retyped.set(column, typeName(cmd.def?.ColumnDef?.typeName));
        break;
      case "AT_SetNotNull":
        e.setNotNull.add(column);
        break;
      case "AT_DropNotNull":
        e.dropNotNull.add(column);
        break;
      case "AT_AddConstraint":
        if (cmd.def?.Constraint?.conname) e.created.set(`constraint:${table}.${cmd.def.Constraint.conname.toLowerCase()}`, `constraint ${cmd.def.Constraint.conname}`);
        break;
      case "AT_DropConstraint":
        e.dropped.set(`constraint:${table}.${String(cmd.name).toLowerCase()}`, `constraint ${cmd.name}`);
        break;
      default:
        break;
    }
  }
}

const DROP_KINDS: Record<string, string> = {
  OBJECT_TABLE: "table",
  OBJECT_INDEX: "index",
  OBJECT_VIEW: "view",
  OBJECT_MATVIEW: "view",
  OBJECT_TYPE: "type",
};

function dropEffects(ast: any, e: Effects): void {
  if (ast.removeType === "OBJECT_TRIGGER") {
    for (const o of ast.objects ?? []) {
      const parts = names(o.List?.items);
      const trigger = parts.pop()!;
      e.dropped.set(`trigger:${key(parts.join("."))}.${trigger.toLowerCase()}`, `trigger ${trigger}`);
    }
    return;
  }
  if (ast.removeType === "OBJECT_FUNCTION" || ast.removeType === "OBJECT_PROCEDURE") {
    for (const o of ast.objects ?? []) {
      const name = names(o.ObjectWithArgs?.objname).join(".");
      e.dropped.set(`function:${key(name)}`, `function ${name}`);
    }
    return;
  }
  const kind = DROP_KINDS[ast.removeType];
  if (!kind) return;
  for (const o of ast.objects ?? []) {
    const name = names(o.List?.items ?? (o.TypeName ? o.TypeName.names : [o])).join(".");
    e.dropped.set(`${kind}:${key(name)}`, `${kind} ${name}`);
    if (kind === "table") e.destroys.push({ what: `dropping table ${name} discards its rows`, table: key(name) });
  }
}

const RENAME_KINDS: Record<string, string> = { OBJECT_TABLE: "table", OBJECT_COLUMN: "column", OBJECT_INDEX: "index", OBJECT_VIEW: "view", OBJECT_TABCONSTRAINT: "constraint" };

function renameEffects(ast: any, e: Effects): void {
  const kind = RENAME_KINDS[ast.renameType];
  if (!kind) return;
  const relation = ast.relation ? key(relationName(ast.relation)) : "";
  const scoped = kind === "column" || kind === "constraint";
  const from = scoped ? `${relation}.${String(ast.subname).toLowerCase()}` : relation;
  const to = scoped ? `${relation}.${String(ast.newname).toLowerCase()}` : key(ast.newname);
  e.renamed.set(`${kind}:${from}→${to}`, { kind, from, to });
}

/** MySQL/MariaDB: destructive statements by their text (node-sql-parser's AST varies by version). */
function mysqlEffects(statement: Statement, e: Effects): void {
  const text = statement.text.replace(/\s+/g, " ");
  const table = /^(?:DROP TABLE (?:IF EXISTS )?|TRUNCATE (?:TABLE )?|DELETE FROM |ALTER TABLE )`?([\w.]+)`?/i.exec(text)?.[1]?.toLowerCase() ?? "";
  if (/^DROP TABLE/i.test(text)) e.destroys.push({ what: `dropping table ${table} discards its rows`, table });
  else if (/^TRUNCATE/i.test(text)) e.destroys.push({ what: `TRUNCATE ${table} deletes every row`, table });
  else if (/^DELETE\b/i.test(text)) e.destroys.push({ what: `DELETE FROM ${table} removes rows`, table });
  // ALTER TABLE from its parsed operations: only DROP COLUMN discards data (not DROP DEFAULT, INDEX, …).
  const alter = alterOf(statement);
  for (const op of alter?.ops ?? []) {
    if (op.kind !== "drop-column") continue;
    const name = tableKey(alter!.table);
    e.destroys.push({ what: `dropping column ${op.column} discards its data`, table: name, column: op.column.toLowerCase() });
  }
}

/** Up changes the down leaves in place. */
function missingUndo(up: Effects, down: Effects): string[] {
  const missing: string[] = [];
  const droppedTables = new Set([...down.dropped.keys()].filter((k) => k.startsWith("table:")).map((k) => k.slice(6)));
  const droppedColumnTables = new Set([...down.dropped.keys()].filter((k) => k.startsWith("column:")).map((k) => k.slice(7).split(".").slice(0, -1).join(".")));
  const tableOf = (k: string) => k.slice(k.indexOf(":") + 1).split(".").slice(0, -1).join(".");
  for (const [k, description] of up.created) {
    if (down.dropped.has(k) || down.created.has(k)) continue;
    const kind = k.slice(0, k.indexOf(":"));
    if ((kind === "column" || kind === "constraint" || kind === "trigger") && droppedTables.has(tableOf(k))) continue;
    if (kind === "constraint" && droppedColumnTables.has(tableOf(k))) continue;
    const indexTable = up.indexTables.get(k);
    if (kind === "index" && indexTable && (droppedTables.has(indexTable) || droppedColumnTables.has(indexTable))) continue;
    missing.push(`${description} stays`);
  }
  for (const [k, description] of up.dropped) {
    if (down.created.has(k)) continue;
    const kind = k.slice(0, k.indexOf(":"));
    if (kind === "column" && up.dropped.has(`table:${tableOf(k)}`)) continue;
    missing.push(`${description} is not recreated`);
  }
  for (const { kind, from, to } of up.renamed.values()) {
    if (![...down.renamed.values()].some((r) => r.kind === kind && r.from === to && r.to === from)) missing.push(`the rename of ${kind} ${from} to ${to} is not reversed`);
  }
  for (const column of up.retyped.keys()) {
    if (!down.retyped.has(column) && !down.dropped.has(`column:${column}`)) missing.push(`the type change of ${column} is not reversed`);
  }
  for (const column of up.setNotNull) if (!down.dropNotNull.has(column)) missing.push(`NOT NULL on ${column} stays`);
  return missing;
}

function dataLoss(up: Effects, down: Effects): string[] {
  const lost: string[] = [];
  for (const d of up.destroys) {
    if (up.copiedFrom.has(d.table)) continue;
    lost.push(`${d.what}; the rollback cannot bring it back`);
  }
  for (const [column, upType] of up.retyped) {
    const downType = down.retyped.get(column);
    if (downType && narrower(upType, downType)) lost.push(`${column} narrows to ${upType}; values that needed ${downType} are cut or rejected`);
  }
  return lost;
}

const INTEGER_WIDTH: Record<string, number> = { int2: 1, smallint: 1, int4: 2, int: 2, integer: 2, int8: 3, bigint: 3, numeric: 4, decimal: 4 };

/** Is `a` a narrower type than `b` in the same family (integers, varchar lengths, numeric precision)? */
export function narrower(a: string, b: string): boolean {
  const ia = INTEGER_WIDTH[a];
  const ib = INTEGER_WIDTH[b.replace(/\(.*\)$/, "")];
  if (ia !== undefined && ib !== undefined) return ia < ib;
  const length = (t: string) => {
    const m = /^(varchar|bpchar|char|character varying|numeric|decimal)(?:\((\d+)(?:,\d+)?\))?$/.exec(t);
    if (!m) return t === "text" ? Infinity : undefined;
    return m[2] === undefined ? Infinity : Number(m[2]);
  };
  const la = length(a);
  const lb = length(b);
  return la !== undefined && lb !== undefined && la < lb;
}
