// Table statistics as the risk model reads them: one catalog merged from the statistics file
// and the `tables:` section of the configuration (the configuration wins, field by field:
// it is what a person wrote down on purpose).
import type { Config, TableStatsInput } from "../config/schema.js";
import { describeIssues, type ConfigProblem } from "../config/load.js";
import { stripPublic } from "../analyze/pg-ast.js";
import { StatsFile, type StatsTable } from "./schema.js";

export { StatsFile } from "./schema.js";

export interface TableStatistics {
  /** As written in the source: `orders` or `sales.orders` (never `public.`). */
  name: string;
  rows?: number;
  bytes?: number;
  indexBytes?: number;
  writesPerSecond?: number;
  indexes: {
    name: string;
    bytes?: number;
    unique: boolean;
    primary: boolean;
    valid: boolean;
    partial: boolean;
    /** Key columns in order (null: an expression); undefined when the file does not say. */
    columns?: (string | null)[];
  }[];
  /** This table's foreign keys, as `name → table(columns)`. */
  foreignKeys: { name: string; columns: string[]; references: string }[];
  /** Foreign keys of other tables that point at this one. */
  referencedBy: { name: string; table: string; columns: string[] }[];
  triggers: string[];
  /** Dependent views; `columns` are those of this table a view reads (undefined: not known). */
  views: { name: string; materialized: boolean; columns?: string[] }[];
  source: "config" | "file" | "config and file";
}

export type StatsCatalog = Map<string, TableStatistics>;

export type StatsParseResult = { ok: true; stats: StatsFile } | { ok: false; problems: ConfigProblem[] };

/** Validates the text of a statistics file; every problem names its path inside the file. */
export function parseStatsText(text: string): StatsParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ path: "", message: `not valid JSON: ${message}` }] };
  }
  const result = StatsFile.safeParse(raw);
  if (result.success) return { ok: true, stats: result.data };
  return { ok: false, problems: describeIssues(result.error.issues) };
}

export function formatStatsProblems(file: string, problems: ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.path || "(file)"}: ${p.message}`);
  const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
  return `${file}: invalid statistics file (${count}); regenerate it with the query \`migration-guard stats-query\` prints\n${lines.join("\n")}`;
}

// Decimal units as written in configuration ("40GB" = 40e9), binary ones when asked (GiB).
// The one byte-size reader: the risk model and the rules' size hints both use it.
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** "40GB" → 40e9 bytes; "512 MiB" → 512 × 2^20. */
export function parseBytes(size: number | string): number {
  if (typeof size === "number") return size;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(size);
  if (!m) throw new Error(`not a byte size: ${size}`);
  const factor = UNITS[(m[2] || "b").toLowerCase()];
  if (factor === undefined) throw new Error(`unknown unit in byte size: ${size}`);
  return Number(m[1]) * factor;
}

/** Relations compare case-insensitively and without the default `public.` schema. */
export function statsKey(relation: string): string {
  return stripPublic(relation.toLowerCase());
}

export function buildCatalog(config: Pick<Config, "tables">, file?: StatsFile): StatsCatalog {
  const catalog: StatsCatalog = new Map();
  for (const table of file?.tables ?? []) {
    const entry = fromFile(table, file!.dialect !== "postgres");
    catalog.set(statsKey(entry.name), entry);
  }
  for (const [name, stats] of Object.entries(config.tables)) {
    const key = statsKey(name);
    catalog.set(key, mergeConfig(catalog.get(key), name, stats));
  }
  return catalog;
}

/** Finds a relation's statistics: exact name first, then an unqualified name that is unique. */
export function lookupTable(catalog: StatsCatalog, relation: string): TableStatistics | undefined {
  const key = statsKey(relation);
  const exact = catalog.get(key);
  if (exact || key.includes(".")) return exact;
  return byBareName(catalog).get(key) ?? undefined;
}

const bareNames = new WeakMap<StatsCatalog, { size: number; tables: Map<string, TableStatistics | null> }>();

/**
 * Qualified entries by their last name part (`sales.orders` under `orders`; null when several
 * schemas have it). Built once per catalog: scanning the catalog for every statement on a table
 * it does not list took seconds with a few thousand tables.
 */
function byBareName(catalog: StatsCatalog): Map<string, TableStatistics | null> {
  const cached = bareNames.get(catalog);
  if (cached?.size === catalog.size) return cached.tables;
  const tables = new Map<string, TableStatistics | null>();
  for (const [k, stats] of catalog) {
    const dot = k.lastIndexOf(".");
    if (dot < 0) continue;
    const bare = k.slice(dot + 1);
    tables.set(bare, tables.has(bare) ? null : stats);
  }
  bareNames.set(catalog, { size: catalog.size, tables });
  return tables;
}

/** MySQL's schema is the database itself, which migrations never name: key tables by bare name. */
function fromFile(table: StatsTable, bareNames: boolean): TableStatistics {
  const qualified = (schema: string, name: string) => (bareNames || schema === "public" ? name : `${schema}.${name}`);
  return {
    name: qualified(table.schema, table.name),
    rows: table.rows ?? undefined,
    bytes: table.table_bytes,
    indexBytes: table.index_bytes,
    indexes: table.indexes.map((i) => ({
      name: i.name,
      bytes: i.bytes ?? undefined,
      unique: i.unique,
      primary: i.primary,
      valid: i.valid,
      partial: i.partial,
      columns: i.columns,
    })),
    foreignKeys: table.foreign_keys.map((fk) => ({
      name: fk.name,
      columns: fk.columns,
      references: qualified(fk.references.schema, fk.references.table),
    })),
    referencedBy: table.referenced_by.map((r) => ({ name: r.name, table: qualified(r.schema, r.table), columns: r.columns })),
    triggers: table.triggers.filter((t) => t.enabled).map((t) => t.name),
    views: table.views.map((v) => ({ name: qualified(v.schema, v.name), materialized: v.materialized, columns: v.columns ?? undefined })),
    source: "file",
  };
}

function mergeConfig(base: TableStatistics | undefined, name: string, stats: TableStatsInput): TableStatistics {
  const merged: TableStatistics = base
    ? { ...base, source: "config and file" }
    : { name: statsKey(name), indexes: [], foreignKeys: [], referencedBy: [], triggers: [], views: [], source: "config" };
  if (stats.rows !== undefined) merged.rows = stats.rows;
  if (stats.bytes !== undefined) merged.bytes = parseBytes(stats.bytes);
  if (stats.index_bytes !== undefined) merged.indexBytes = parseBytes(stats.index_bytes);
  if (stats.writes_per_second !== undefined) merged.writesPerSecond = stats.writes_per_second;
  return merged;
}

/**
 * The configuration with the statistics file's sizes added to `tables:` (entries the user wrote
 * win), so rules that size their severity by `tables:` see the exported statistics too.
 */
export function withFileStats<C extends Pick<Config, "tables">>(config: C, file: StatsFile | undefined): C {
  if (!file) return config;
  const tables: Config["tables"] = {};
  for (const entry of buildCatalog({ tables: {} }, file).values()) {
    tables[entry.name] = {
      ...(entry.rows !== undefined ? { rows: entry.rows } : {}),
      ...(entry.bytes !== undefined ? { bytes: entry.bytes } : {}),
      ...(entry.indexBytes !== undefined ? { index_bytes: entry.indexBytes } : {}),
    };
  }
  for (const [name, stats] of Object.entries(config.tables)) {
    const match = Object.keys(tables).find((k) => statsKey(k) === statsKey(name));
    const fromFile = match ? tables[match] : undefined;
    if (match) delete tables[match];
    tables[name] = { ...fromFile, ...stats };
  }
  return { ...config, tables };
}
