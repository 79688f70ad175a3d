// `.github/migration-guard.yml`: the one schema that validates user configuration.
// TypeScript types and the shipped JSON Schema (schema/migration-guard.schema.json) derive from it.
import { z } from "zod";
import { Delivery, Dialect, Layout, Severity, TransactionMode } from "../model.js";
import { TestConfigSchema } from "../evidence/config.js";
import { GatesConfig } from "../gates/config.js";
import { CommitFormatConfig } from "../commit-format/config.js";

const RuleSetting = z.union([z.enum(["off", "info", "warning", "error"]), z.boolean()]);

/** Larger than any real table (10 PB, 10^13 rows): beyond these, estimates turn into Infinity. */
export const MAX_BYTES = 1e16;
export const MAX_ROWS = 1e13;

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };
const SIZE_TEXT = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/i;

function sizeInBytes(size: number | string): number {
  if (typeof size === "number") return size;
  const m = SIZE_TEXT.exec(size)!;
  return Number(m[1]) * BYTE_UNITS[(m[2] ?? "b").toLowerCase()]!;
}

/** Byte sizes accept numbers or strings such as "40GB", "512 MB", up to 10 PB. */
export const ByteSize = z
  .union([z.number().nonnegative(), z.string().regex(SIZE_TEXT, 'expected a size such as 512MB or "40 GB"')])
  .refine((size) => sizeInBytes(size) <= MAX_BYTES, "larger than 10 PB: not a real size");

/** A throughput in bytes per second: 0 would make every estimate infinite. */
const Throughput = ByteSize.refine((size) => sizeInBytes(size) >= 1000, "at least 1 KB per second");

export const TableStats = z
  .object({
    rows: z.number().nonnegative().max(MAX_ROWS).optional(),
    bytes: ByteSize.optional(),
    index_bytes: ByteSize.optional(),
    /** Writes per second at peak; raises the cost of blocking locks. */
    writes_per_second: z.number().nonnegative().max(1e9).optional(),
  })
  .strict();

const SECONDS_PER_YEAR = 31_536_000;

const Thresholds = z
  .object({
    /** A lock that blocks writes for longer than this (estimated) raises severity. */
    max_blocking_seconds: z.number().positive().max(SECONDS_PER_YEAR).default(5),
    /** Rows above which an unbatched UPDATE/DELETE or a rewrite counts as large. */
    large_table_rows: z.number().int().positive().max(MAX_ROWS).default(1_000_000),
    /** Longest acceptable lock_timeout set by a migration (milliseconds). */
    max_lock_timeout_ms: z.number().int().positive().max(SECONDS_PER_YEAR * 1000).default(10_000),
    /** Sequential throughput used to estimate rewrites and scans (bytes per second). */
    rewrite_bytes_per_second: Throughput.default("100MB"),
    index_build_bytes_per_second: Throughput.default("50MB"),
    /** A write-blocking lock estimated to be held longer than this makes the migration's risk critical. */
    critical_blocking_seconds: z.number().positive().max(SECONDS_PER_YEAR).default(60),
    /** Bytes per row assumed when `tables:` gives rows but no bytes. */
    average_row_bytes: z.number().positive().max(1e9).default(100),
  })
  .strict();

const PostgresVersion = z.number().int().min(10).max(18);
const MysqlVersion = z.string().regex(/^\d+(\.\d+)*$/);
const Preset = z.enum(["recommended", "strict"]);
const Rules = z.record(z.string(), RuleSetting);
const FlywaySettings = z
  .object({
    /** Flyway's `mixed` (flyway.mixed): a script may mix transactional and non-transactional statements, and then runs without a transaction. */
    mixed: z.boolean().default(false),
  })
  .strict();

/**
 * Settings for the migrations below some paths (monorepos: one service on MySQL, another on
 * PostgreSQL 16). A file takes the first override whose `paths` match it; each override's
 * migrations form their own history, analyzed with these settings on top of the top-level ones.
 */
export const PathOverride = z
  .object({
    /** Globs of the files this override applies to, e.g. `services/billing/**`. */
    paths: z.array(z.string().min(1)).min(1),
    layout: z.union([z.literal("auto"), Layout]).optional(),
    dialect: Dialect.optional(),
    postgres_version: PostgresVersion.optional(),
    mysql_version: MysqlVersion.optional(),
    transaction: z.union([z.literal("auto"), TransactionMode]).optional(),
    delivery: z.union([z.literal("auto"), Delivery]).optional(),
    flyway: FlywaySettings.optional(),
    preset: Preset.optional(),
    /** Merged over the top-level `rules:`. */
    rules: Rules.optional(),
    /** Merged over the top-level `thresholds:`. */
    thresholds: Thresholds.partial().optional(),
  })
  .strict();
export type PathOverride = z.infer<typeof PathOverride>;

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    /** Glob(s) of migration files; default: common migration folders. */
    paths: z.array(z.string().min(1)).default([]),
    /** Globs to leave out. */
    exclude: z.array(z.string().min(1)).default([]),
    /** Repository layout; `auto` detects it per folder. */
    layout: z.union([z.literal("auto"), Layout]).default("auto"),
    dialect: Dialect.default("postgres"),
    /** Major version of the production server (PostgreSQL 10–18, MySQL 5.7/8.x, MariaDB 10.x/11.x). */
    postgres_version: PostgresVersion.default(15),
    mysql_version: MysqlVersion.default("8.0"),
    /** Overrides the layout's default: does the migration tool wrap each file in a transaction? */
    transaction: z.union([z.literal("auto"), TransactionMode]).default("auto"),
    /**
     * Overrides the layout's default: does the tool send a file as one query (`whole-file`: one
     * statement runs outside a transaction block, several form one) or statement by statement?
     * golang-migrate with `x-multi-statement=true` in its database URL: `per-statement`.
     */
    delivery: z.union([z.literal("auto"), Delivery]).default("auto"),
    /** Flyway's own settings that change how it runs a script. */
    flyway: FlywaySettings.default(() => ({ mixed: false })),
    preset: Preset.default("recommended"),
    /** Per-rule overrides: `off`, a severity, or true/false. */
    rules: Rules.default({}),
    /** Findings at or above this severity fail the check (exit code 1, REQUEST_CHANGES). */
    fail_level: Severity.default("error"),
    tables: z.record(z.string(), TableStats).default({}),
    /** JSON file exported by the query `migration-guard stats-query` prints. */
    stats_file: z.string().optional(),
    thresholds: Thresholds.default(() => Thresholds.parse({})),
    /** `migration-guard test`: scratch database, seed, validate/probe queries, decision-matrix thresholds. */
    test: TestConfigSchema.default(() => TestConfigSchema.parse({})),
    /** Quality gates: required gates, who signs off, thresholds (defaults: the Rollback Decision Matrix). */
    gates: GatesConfig.default(() => GatesConfig.parse({})),
    /** The recipe's commit message format: ticket pattern, types, required fields, commits vs PR. */
    commit_format: CommitFormatConfig.default(() => CommitFormatConfig.parse({})),
    /** Different settings for the migrations below some paths (monorepos); the first match wins. */
    overrides: z.array(PathOverride).default([]),
    /** Review drafts too? */
    review_drafts: z.boolean().default(false),
    /** Base URL for rule docs links. */
    docs_url: z.string().url().default("https://github.com/migration-guard/migration-guard/blob/main/docs/rules"),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type TableStatsInput = z.infer<typeof TableStats>;
