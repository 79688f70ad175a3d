// Small, typed-enough helpers over libpg_query's JSON AST, shared by PostgreSQL rules.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** `schema.table` in lower case (unquoted identifiers are already folded by the parser). */
export function relationName(rangeVar: any): string {
  if (!rangeVar) return "";
  const schema = rangeVar.schemaname ? `${rangeVar.schemaname}.` : "";
  return `${schema}${rangeVar.relname}`;
}

/** A relation name without the default `public.` schema (how names compare and are shown). */
export function stripPublic(name: string): string {
  return name.startsWith("public.") ? name.slice(7) : name;
}

/**
 * A system catalog (`pg_index`, `pg_catalog.pg_class`): pg_catalog comes first in every search
 * path, so an unqualified `pg_…` name is the catalog. Writing to one touches a few catalog rows,
 * not a table's data.
 */
export function isSystemCatalog(name: string): boolean {
  return /^(pg_catalog\.)?pg_[a-z0-9_]+$/i.test(name) || /^information_schema\./i.test(name);
}

/** The `AlterTableCmd` nodes of an ALTER TABLE statement. */
export function alterCommands(ast: any): readonly any[] {
  if (!ast || typeof ast !== "object") return NO_COMMANDS;
  // Thirty rules ask for every ALTER TABLE; the list is built once per statement (read-only).
  const known = commandLists.get(ast);
  if (known) return known;
  const commands: readonly any[] = Object.freeze((ast.cmds ?? []).map((c: any) => c.AlterTableCmd).filter(Boolean));
  commandLists.set(ast, commands);
  return commands;
}

const NO_COMMANDS: readonly any[] = Object.freeze([]);
const commandLists = new WeakMap<object, readonly any[]>();

/** Flattens `[{String:{sval}}]` name lists. */
export function names(list: any[] | undefined): string[] {
  return (list ?? []).map((n) => n?.String?.sval ?? n?.sval ?? "").filter(Boolean);
}

/** A type name as written, e.g. `varchar(20)`, `int4`, `timestamptz`. */
export function typeName(typeNameNode: any): string {
  if (!typeNameNode) return "";
  const parts = names(typeNameNode.names).filter((n) => n !== "pg_catalog");
  const mods = (typeNameNode.typmods ?? [])
    .map((m: any) => m?.A_Const?.ival?.ival ?? m?.A_Const?.ival ?? "")
    .filter((v: unknown) => v !== "" && typeof v !== "object");
  const array = typeNameNode.arrayBounds ? "[]" : "";
  return `${parts.join(".")}${mods.length ? `(${mods.join(",")})` : ""}${array}`;
}

/** Constraint nodes attached to a ColumnDef. */
export function columnConstraints(columnDef: any): any[] {
  return (columnDef?.constraints ?? []).map((c: any) => c.Constraint).filter(Boolean);
}

/** Names of functions called anywhere inside an expression tree. */
export function calledFunctions(node: any): string[] {
  const out: string[] = [];
  walk(node, (n) => {
    if (n && typeof n === "object" && n.FuncCall) out.push(names(n.FuncCall.funcname).join("."));
    if (n && typeof n === "object" && n.SQLValueFunction) out.push(String(n.SQLValueFunction.op));
  });
  return out;
}

/**
 * Depth-first walk (pre-order, children in key order) over every object in a JSON tree.
 * Iterative: PostgreSQL accepts expressions thousands of levels deep, deeper than the JS stack.
 */
export function walk(node: any, visit: (n: any) => void): void {
  const stack: any[] = [node];
  while (stack.length) {
    const n = stack.pop();
    if (n === null || typeof n !== "object") continue;
    visit(n);
    if (Array.isArray(n)) {
      for (let i = n.length - 1; i >= 0; i--) stack.push(n[i]);
    } else {
      const keys = Object.keys(n);
      for (let i = keys.length - 1; i >= 0; i--) stack.push(n[keys[i]!]);
    }
  }
}

/** Reads `SET [LOCAL] name = value` as milliseconds for time settings; undefined otherwise. */
export function settingValue(ast: any): { name: string; value: string; local: boolean } | undefined {
  if (ast?.kind !== "VAR_SET_VALUE") return undefined;
  const arg = ast.args?.[0]?.A_Const;
  const value = arg?.sval?.sval ?? arg?.ival?.ival ?? (arg?.ival && Object.keys(arg.ival).length === 0 ? 0 : undefined);
  return value === undefined ? undefined : { name: String(ast.name), value: String(value), local: Boolean(ast.is_local) };
}

/** Parses a PostgreSQL duration ("2s", "500ms", "1min", 1000) into milliseconds. */
export function durationMs(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = (m[2] ?? "ms").toLowerCase();
  const factor: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(m[1]) * factor[unit]!;
}
