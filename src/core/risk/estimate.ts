// How long a statement's work takes on production, from the table's size and the configured
// throughputs. Deliberately simple and explained: a reviewer must be able to redo the sum.
import type { Config } from "../config/schema.js";
import { lookupTable, parseBytes, statsKey, type StatsCatalog, type TableStatistics } from "../stats/index.js";
import type { StatementWork } from "./work.js";

export interface Estimate {
  seconds: number;
  /** "rewrite of 40 GB (80,000,000 rows) at 100 MB/s + 8 GB of indexes at 50 MB/s". */
  basis: string;
  rows?: number;
  bytes?: number;
}

export type EstimateResult = { known: true; estimate: Estimate } | { known: false; why: string };

export interface Throughput {
  rewrite: number;
  indexBuild: number;
  rowBytes: number;
}

/** Bytes per row assumed when statistics give a row count but no size. */
export const DEFAULT_ROW_BYTES = 100;

export function throughput(config: Config): Throughput {
  return {
    rewrite: parseBytes(config.thresholds.rewrite_bytes_per_second),
    indexBuild: parseBytes(config.thresholds.index_build_bytes_per_second),
    rowBytes: config.thresholds.average_row_bytes ?? DEFAULT_ROW_BYTES,
  };
}

/** The table's heap size: measured bytes, else rows × the assumed row width. */
function tableBytes(stats: TableStatistics, rates: Throughput): { bytes: number; assumed: boolean } | undefined {
  if (stats.bytes !== undefined) return { bytes: stats.bytes, assumed: false };
  if (stats.rows !== undefined) return { bytes: stats.rows * rates.rowBytes, assumed: true };
  return undefined;
}

function indexBytes(stats: TableStatistics, heap: number): number {
  if (stats.indexBytes !== undefined) return stats.indexBytes;
  const measured = stats.indexes.map((i) => i.bytes).filter((b): b is number => b !== undefined);
  if (measured.length) return measured.reduce((a, b) => a + b, 0);
  // Unknown: assume indexes half the heap (a primary key plus a secondary index or two).
  return heap / 2;
}

/**
 * The duration of one statement's work. `createdInChange` tables are empty (new in this change).
 * Metadata-only work is instant; work on a table without statistics is unknown.
 */
export function estimateWork(work: StatementWork, catalog: StatsCatalog, rates: Throughput, createdInChange: (t: string) => boolean): EstimateResult {
  if (work.work === "none" || work.work === "metadata only") return { known: true, estimate: { seconds: 0, basis: work.work } };
  if (work.index) return estimateIndex(work.index, catalog, rates);
  if (!work.relation) return { known: false, why: "the statement names no single table" };
  if (createdInChange(work.relation)) return { known: true, estimate: { seconds: 0, basis: `${work.relation} is created in this change (empty)`, rows: 0, bytes: 0 } };
  const stats = lookupTable(catalog, work.relation);
  if (!stats) return { known: false, why: `no statistics for ${work.relation}` };
  const heap = tableBytes(stats, rates);
  if (!heap) return { known: false, why: `statistics for ${work.relation} give neither rows nor bytes` };
  if (work.work === "data change" && !work.wholeTable) return { known: false, why: `the share of ${work.relation} the WHERE clause matches is unknown` };
  const rows = stats.rows;
  const size = `${formatBytes(heap.bytes)}${heap.assumed ? ` (assumed ${formatBytes(rates.rowBytes)}/row)` : ""}${rows !== undefined ? `, ${formatCount(rows)} rows` : ""}`;
  const rate = (r: number) => `${formatBytes(r)}/s`;
  const base = { rows, bytes: heap.bytes };
  switch (work.work) {
    case "scan":
      return { known: true, estimate: { ...base, seconds: heap.bytes / rates.rewrite, basis: `scan of ${work.relation}: ${size} at ${rate(rates.rewrite)}` } };
    case "copy":
      return { known: true, estimate: { ...base, seconds: heap.bytes / rates.rewrite, basis: `copy of ${work.relation}: ${size} at ${rate(rates.rewrite)}` } };
    case "index build":
    case "scan and index build":
      return { known: true, estimate: { ...base, seconds: heap.bytes / rates.indexBuild, basis: `index build over ${work.relation}: ${size} at ${rate(rates.indexBuild)}` } };
    case "rewrite":
    case "data change": {
      const idx = indexBytes(stats, heap.bytes);
      const seconds = heap.bytes / rates.rewrite + idx / rates.indexBuild;
      const verb = work.work === "rewrite" ? "rewrite" : "update of every row";
      return {
        known: true,
        estimate: { ...base, seconds, basis: `${verb} of ${work.relation}: ${size} at ${rate(rates.rewrite)} + ${formatBytes(idx)} of indexes at ${rate(rates.indexBuild)}` },
      };
    }
  }
}

function estimateIndex(index: string, catalog: StatsCatalog, rates: Throughput): EstimateResult {
  const key = statsKey(index);
  for (const table of catalog.values()) {
    const found = table.indexes.find((i) => i.name.toLowerCase() === key);
    if (!found) continue;
    const heap = tableBytes(table, rates);
    if (!heap) break;
    return {
      known: true,
      estimate: { seconds: heap.bytes / rates.indexBuild, rows: table.rows, bytes: heap.bytes, basis: `rebuild of ${index} over ${table.name}: ${formatBytes(heap.bytes)} at ${formatBytes(rates.indexBuild)}/s` },
    };
  }
  return { known: false, why: `no statistics for the table of index ${index}` };
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value >= 100 || unit === 0 ? 0 : 1;
  return `${value.toFixed(digits).replace(/\.0$/, "")} ${units[unit]}`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** "350 ms", "4.2 s", "3.5 min": a measured time or a limit, to one decimal (the gates and the runbook). */
export function formatElapsed(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${Number(seconds.toFixed(1))} s`;
  return `${Number((seconds / 60).toFixed(1))} min`;
}

/** "0.2 s", "42 s", "13 min", "2.5 h". */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${seconds < 0.05 ? "<0.1" : seconds.toFixed(1)} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
