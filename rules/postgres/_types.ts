// Which ALTER COLUMN … TYPE changes PostgreSQL performs without rewriting the table.
// Verified on PostgreSQL 15 by comparing pg_class.relfilenode before and after each change:
// no rewrite for varchar(n)→varchar(m≥n)/varchar/text, text→varchar, numeric(p,s)→numeric(q≥p,s)
// or numeric, varbit(n)→varbit(m≥n)/varbit, timestamp/timestamptz/time/timetz/interval precision
// increases (or removing the precision), cidr→inet; a rewrite for narrowing, scale changes,
// int→bigint, adding a precision to an unconstrained timestamp/interval, text→varchar(n).
// timestamp→timestamptz skips the rewrite only when the session TimeZone is UTC (PostgreSQL 12+).
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { ColumnType } from "../../src/core/analyze/state.js";

export type TypeChange = "no rewrite" | "rewrite" | "rewrite unless UTC" | "unknown";

const TEXTUAL = new Set(["varchar", "text"]);
const PRECISION_TYPES = new Set(["timestamp", "timestamptz", "time", "timetz"]);

/** Last type modifier as the precision (interval keeps its field mask first). */
function precision(t: ColumnType): number | undefined {
  return t.mods.length ? t.mods[t.mods.length - 1] : undefined;
}

export function typeChange(from: ColumnType | undefined, to: ColumnType): TypeChange {
  if (!from) return couldBeCoercible(to) ? "unknown" : "rewrite";
  if (from.array !== to.array) return "rewrite";
  const a = from.name;
  const b = to.name;
  if (a === b && sameMods(from, to)) return "no rewrite";
  if (a === "varchar" && b === "text") return "no rewrite";
  if (a === "text" && b === "varchar") return to.mods.length === 0 ? "no rewrite" : "rewrite";
  if (a === "varchar" && b === "varchar") return widens(from.mods[0], to.mods[0]) ? "no rewrite" : "rewrite";
  if (a === "varbit" && b === "varbit") return widens(from.mods[0], to.mods[0]) ? "no rewrite" : "rewrite";
  if (a === "numeric" && b === "numeric") {
    if (to.mods.length === 0) return "no rewrite";
    if (from.mods.length === 0) return "rewrite";
    const [p1, s1 = 0] = from.mods;
    const [p2, s2 = 0] = to.mods;
    return s1 === s2 && p2! >= p1! ? "no rewrite" : "rewrite";
  }
  if (a === b && (PRECISION_TYPES.has(a) || a === "interval")) {
    if (a === "interval" && from.mods.length && to.mods.length && from.mods[0] !== to.mods[0]) return "rewrite";
    return widens(precision(from), precision(to)) ? "no rewrite" : "rewrite";
  }
  if (a === "cidr" && b === "inet") return "no rewrite";
  if (a === "timestamp" && b === "timestamptz") return "rewrite unless UTC";
  return "rewrite";
}

/** No modifier means unbounded; a larger one widens. */
function widens(from: number | undefined, to: number | undefined): boolean {
  if (to === undefined) return true;
  if (from === undefined) return false;
  return to >= from;
}

function sameMods(a: ColumnType, b: ColumnType): boolean {
  return a.mods.length === b.mods.length && a.mods.every((m, i) => m === b.mods[i]);
}

/** Target types some other type reaches without a rewrite; any other target always rewrites. */
function couldBeCoercible(to: ColumnType): boolean {
  return TEXTUAL.has(to.name) || ["numeric", "varbit", "inet", "interval", ...PRECISION_TYPES].includes(to.name);
}

/** `USING col` or `USING col::target` keeps the contents; anything else counts as a rewrite. */
export function usingIsNoop(using: any, column: string): boolean {
  if (!using) return true;
  const ref = using.TypeCast ? using.TypeCast.arg : using;
  const fields = (ref?.ColumnRef?.fields ?? []).map((f: any) => f.String?.sval);
  return fields.length === 1 && fields[0] === column;
}

export function describeType(t: ColumnType): string {
  return `${t.name}${t.mods.length ? `(${t.mods.join(",")})` : ""}${t.array ? "[]" : ""}`;
}
