// A repository layout knows how its migration tool names files, pairs ups with downs,
// orders versions and wraps files in transactions. One file per layout in ./layouts/.
import type { Delivery, Dialect, Layout, Migration, NonTransactionalDetection, SourceFile, TransactionMode } from "../model.js";
import { decodeSource } from "../parse/text.js";

/** A migration as a layout sees it, before base/head comparison sets its status. */
export type FoundMigration = Omit<Migration, "status">;

/**
 * Something about a file's place in the layout that the tool would trip over or silently
 * ignore (a misnamed file, a down without an up, a plan entry without its script).
 */
export interface DiscoveryProblem {
  ruleId: "unrecognized-migration-file" | "unanalyzable-sql";
  file: string;
  /** 1-based line the problem is on (1 when it is about the whole file). */
  line: number;
  message: string;
}

export interface Collected {
  migrations: FoundMigration[];
  problems: DiscoveryProblem[];
  /**
   * Migrations whose content differs from what the tool's own record of the folder says they
   * held (Atlas's atlas.sum): edited after they were hashed, with no base branch needed to see it.
   */
  edited?: RecordedEdit[];
}

export interface RecordedEdit {
  /** The migration's id. */
  id: string;
  /** Where the tool recorded the content, e.g. "atlas.sum line 3". */
  record: string;
  /** What the tool does about it, in its own words. */
  consequence: string;
}

/** What a layout may need from the configuration (popx keeps one file per database dialect). */
export interface CollectContext {
  dialect: Dialect;
}

export interface LayoutSpec {
  name: Layout;
  /** The migration tool's name as its users know it, for messages. Default: "the migration tool". */
  tool?: string;
  /** Does the tool run each file in a transaction of its own by default? */
  transaction: TransactionMode;
  /** Does the tool send each file as one query, or statement by statement? */
  delivery: Delivery;
  /** Does the tool itself run files holding non-transactional statements differently? Default `none`. */
  nonTransactionalDetection?: NonTransactionalDetection;
  /**
   * How a user of this tool runs a statement that cannot run in a transaction block (CREATE
   * INDEX CONCURRENTLY, …): the tool's own directive, in its own words. Shown in findings' help.
   */
  outsideTransaction?: string;
  /** Do two migrations with the same version conflict? (Prisma orders by folder name, so no.) */
  uniqueVersions: boolean;
  /**
   * How sure the layout is that these files (all files of one migration root) are its own:
   * 0 = not at all, 1 = any SQL file, up to 10 = every file follows the tool's naming,
   * 100 = a file only this tool writes (sqitch.plan). Auto-detection picks the highest score.
   */
  score(files: SourceFile[]): number;
  /** Groups files into migrations. `files` are those of one migration root the layout claimed. */
  collect(files: SourceFile[], context: CollectContext): Collected;
}

/** Compares versions the way migration tools do: numeric parts numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[._-]/);
  const pb = b.split(/[._-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "";
    const y = pb[i] ?? "";
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

export function isSql(path: string): boolean {
  return path.toLowerCase().endsWith(".sql");
}

/** File text when it was loaded and is text; undefined for sha-only or binary files. */
export function textOf(file: SourceFile): string | undefined {
  if (file.content === undefined) return undefined;
  const decoded = decodeSource(file.content);
  return decoded.ok ? decoded.text : undefined;
}

/** Share of `files` whose name `matches`, scaled to the 0–10 range of `LayoutSpec.score`. */
export function namingScore(files: SourceFile[], matches: (file: SourceFile) => boolean): number {
  const sql = files.filter((f) => isSql(f.path));
  if (!sql.length) return 0;
  return (10 * sql.filter(matches).length) / sql.length;
}

/** Drops leading zeros from a numeric version so `0001` and `1` are the same version. */
export function numericVersion(digits: string): string {
  return digits.replace(/^0+(?=\d)/, "");
}

export function problem(file: string, message: string, line = 1, ruleId: DiscoveryProblem["ruleId"] = "unrecognized-migration-file"): DiscoveryProblem {
  return { ruleId, file, line, message };
}
