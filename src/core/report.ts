// The analysis report: what `check --format json` prints and what every renderer, the bot,
// the ephemeral test and the runbook read. Versioned; derived types only.
import { z } from "zod";
import { Dialect, Finding, LockMode, Migration, RiskLevel, Severity } from "./model.js";

export const RollbackComplexity = z.enum(["reversible", "lossy", "irreversible", "missing", "not-expected"]);
export type RollbackComplexity = z.infer<typeof RollbackComplexity>;

export const TableLock = z.object({
  relation: z.string(),
  mode: LockMode,
  blocks: z.string(),
  /** Estimated time the lock is held in production, from table statistics (seconds). */
  estimatedSeconds: z.number().nonnegative().optional(),
  /** What the statement does while holding it. */
  work: z.string().optional(),
  /** How the estimate was computed ("rewrite of orders: 40 GB at 100 MB/s …"), or why there is none. */
  basis: z.string().optional(),
  /** Line of the statement that takes the lock. */
  line: z.number().int().positive().optional(),
  /** Held until the end of the transaction the statement runs in (not just the statement). */
  untilCommit: z.boolean().optional(),
  /** Table size from statistics, when known. */
  rows: z.number().nonnegative().optional(),
  bytes: z.number().nonnegative().optional(),
});
export type TableLock = z.infer<typeof TableLock>;

/** One statement of the up script as the risk model weighs it. */
export const RiskOperation = z.object({
  line: z.number().int().positive(),
  kind: z.string(),
  relation: z.string().optional(),
  work: z.string(),
  estimatedSeconds: z.number().nonnegative().optional(),
  basis: z.string().optional(),
});
export type RiskOperation = z.infer<typeof RiskOperation>;

export const RiskAssessment = z.object({
  level: RiskLevel,
  reasons: z.array(z.string()),
  /** Strongest lock per relation with its estimated hold time. */
  locks: z.array(TableLock),
  affected: z.object({
    tables: z.array(z.string()),
    indexes: z.array(z.string()),
    constraints: z.array(z.string()),
    triggers: z.array(z.string()),
    views: z.array(z.string()),
    functions: z.array(z.string()),
  }),
  rollback: RollbackComplexity,
  rollbackReasons: z.array(z.string()).default([]),
  /** Estimated duration of the whole up script (known parts only), from table statistics. */
  estimatedSeconds: z.number().nonnegative().optional(),
  /** Each up statement's work and estimated duration. */
  operations: z.array(RiskOperation).optional(),
  /** Tables the migration touches, with and without statistics. */
  statistics: z.object({ known: z.array(z.string()), missing: z.array(z.string()) }).optional(),
});
export type RiskAssessment = z.infer<typeof RiskAssessment>;

export const MigrationReport = z.object({
  migration: Migration,
  statements: z.object({ up: z.number().int(), down: z.number().int() }),
  findings: z.array(Finding),
  risk: RiskAssessment.optional(),
  /** Set when a path override analyzed this migration for another server than the report's settings. */
  dialect: Dialect.optional(),
  postgresVersion: z.number().int().optional(),
});
export type MigrationReport = z.infer<typeof MigrationReport>;

export const SeverityCounts = z.object({ error: z.number().int(), warning: z.number().int(), info: z.number().int() });

export const AnalysisReport = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal("migration-guard"), version: z.string() }),
  settings: z.object({
    dialect: Dialect,
    postgresVersion: z.number().int(),
    failLevel: Severity,
    preset: z.string(),
    /** Base URL of the rule docs (config `docs_url`), for links to rules without findings. */
    docsUrl: z.string().optional(),
  }),
  migrations: z.array(MigrationReport),
  /** Findings not tied to one migration (unreadable files, config-level problems). */
  otherFindings: z.array(Finding),
  summary: z.object({
    migrations: z.number().int(),
    analyzed: z.number().int(),
    counts: SeverityCounts,
    suppressed: z.number().int(),
    highestRisk: RiskLevel.optional(),
    /** True when a finding reaches the fail level. */
    failed: z.boolean(),
  }),
});
export type AnalysisReport = z.infer<typeof AnalysisReport>;

/** Every unsuppressed finding of a report, migration findings first, in file order. */
export function allFindings(report: AnalysisReport, { includeSuppressed = false } = {}): Finding[] {
  const all = [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings];
  return includeSuppressed ? all : all.filter((f) => !f.suppressed);
}

/** The servers the report's migrations were analyzed for ("PostgreSQL 15", "PostgreSQL 15, mysql" with path overrides). */
export function serversOf(report: AnalysisReport): string {
  const { settings } = report;
  const name = (dialect: string, version: number) => (dialect === "postgres" ? `PostgreSQL ${version}` : dialect);
  const servers = new Set(report.migrations.map((m) => name(m.dialect ?? settings.dialect, m.postgresVersion ?? settings.postgresVersion)));
  return servers.size ? [...servers].join(", ") : name(settings.dialect, settings.postgresVersion);
}
