// The evidence report of `migration-guard test`: the JSON artifact the workflow uploads and the
// App downloads, validates and merges into its review. Versioned; the JSON Schema shipped in
// schema/test-report.schema.json is generated from this zod schema (see jsonSchema()).
import { z } from "zod";
import { LockMode, Severity, TransactionMode } from "../model.js";
import { SchemaChange } from "./snapshot.js";
import { TestThresholds } from "./config.js";

export const EVIDENCE_SCHEMA_VERSION = 1 as const;
/** Name of the artifact the workflow uploads and the App looks for. */
export const EVIDENCE_ARTIFACT_NAME = "migration-guard-test-report";
export const EVIDENCE_FILE_NAME = "migration-guard-test-report.json";
/** The workflow `migration-guard init` writes to produce the report, and the review workflow of `init --action`. */
export const TEST_WORKFLOW_PATH = ".github/workflows/migration-guard-test.yml";
export const REVIEW_WORKFLOW_PATH = ".github/workflows/migration-guard-review.yml";

export const EngineKind = z.enum(["postgres", "pglite", "mariadb"]);
export type EngineKind = z.infer<typeof EngineKind>;

/** Which limit stopped a statement: its own, the run's total budget, or idling inside a transaction. */
export const TimeLimitKind = z.enum(["statement", "total", "idle_in_transaction"]);
export type TimeLimitKind = z.infer<typeof TimeLimitKind>;

export const Problem = z.object({
  /** `file:line` when the problem belongs to a place in a file. */
  where: z.string().optional(),
  message: z.string(),
  /**
   * `environment`: the test database lacks something (an extension), not a fault of the migration;
   * `time-limit`: a time limit of the test stopped the statement (`timeLimit` says which).
   */
  cause: z.enum(["environment", "time-limit"]).optional(),
  timeLimit: TimeLimitKind.optional(),
});
export type Problem = z.infer<typeof Problem>;

export const TracedLock = z.object({
  relation: z.string(),
  mode: LockMode,
  /** `transaction`: read from pg_locks inside the migration's own transaction; `observer`: sampled from a second connection. */
  observedBy: z.enum(["transaction", "observer"]),
});
export type TracedLock = z.infer<typeof TracedLock>;

export const ProbeResult = z.object({
  /** Tables the probe queried while the statement ran. */
  tables: z.array(z.string()),
  samples: z.number().int().nonnegative(),
  /** Longest time one application query took while (or because) the statement ran. */
  longestWaitMs: z.number().nonnegative(),
  /** The query that waited longest. */
  longestQuery: z.string().optional(),
  /** Linear extrapolation to the production row count when table statistics exist. */
  extrapolatedMs: z.number().nonnegative().optional(),
  flagged: z.boolean(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export const StatementTrace = z.object({
  index: z.number().int().nonnegative(),
  file: z.string(),
  line: z.number().int().positive(),
  /** The statement, shortened to one line of at most 160 characters. */
  sql: z.string(),
  kind: z.string(),
  /** Ran inside the file's transaction, in one of its own, or outside any (CONCURRENTLY and friends). */
  mode: z.enum(["file-transaction", "own-transaction", "no-transaction", "explicit-transaction"]),
  ok: z.boolean(),
  durationMs: z.number().nonnegative(),
  rowsAffected: z.number().int().nonnegative().optional(),
  locks: z.array(TracedLock),
  /** Relations whose relfilenode changed: the table or index was rewritten. */
  rewritten: z.array(z.string()),
  indexesBuilt: z.array(z.string()),
  probe: ProbeResult.optional(),
  error: z.string().optional(),
});
export type StatementTrace = z.infer<typeof StatementTrace>;

export const ScriptRun = z.object({
  file: z.string(),
  ok: z.boolean(),
  durationMs: z.number().nonnegative(),
  /** How the script was applied: `file-transaction` = one transaction for the file. */
  execution: z.enum(["file-transaction", "per-statement", "skipped"]),
  statements: z.array(StatementTrace),
  error: Problem.optional(),
  /** Why the file is not run in one transaction although its tool would (e.g. CREATE INDEX CONCURRENTLY). */
  note: z.string().optional(),
});
export type ScriptRun = z.infer<typeof ScriptRun>;

export const PartialFailure = z.object({
  /** `interrupted`: the backend was terminated mid-way; `rolled-back`: emulated with ROLLBACK (single-connection engines). */
  method: z.enum(["terminated", "cancelled", "rolled-back", "skipped"]),
  /** Statements completed before the interruption. */
  interruptedAfter: z.number().int().nonnegative(),
  transactional: z.boolean(),
  /** True when the database is exactly at its pre-migration state afterwards. */
  clean: z.boolean(),
  leftovers: z.array(SchemaChange),
  cleanupSql: z.array(z.string()),
  manualCleanup: z.array(z.string()),
  note: z.string().optional(),
});
export type PartialFailure = z.infer<typeof PartialFailure>;

export const MigrationEvidence = z.object({
  id: z.string(),
  up: z.string(),
  down: z.string().optional(),
  /** The tool's transaction mode for this migration, after config overrides. */
  transaction: TransactionMode,
  forward: ScriptRun,
  rollback: ScriptRun.optional(),
  forwardAgain: ScriptRun.optional(),
  partialFailure: PartialFailure.optional(),
  /**
   * The forward failed with generated rows and was run again on the same schema without them:
   * `passedWithout` = the failure came from generated data only (a warning, and `forward` is the second run).
   */
  generatedData: z
    .object({
      where: z.string().optional(),
      message: z.string(),
      /** Sample generated rows of the tables the failing statement touches, `table: col=value, …`. */
      values: z.array(z.string()),
      passedWithout: z.boolean(),
    })
    .optional(),
  /** Time the partial-failure test of this migration took. */
  partialFailureMs: z.number().nonnegative().optional(),
});
export type MigrationEvidence = z.infer<typeof MigrationEvidence>;

export const CheckResult = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string().optional(),
  /** Rows in error found by the check (orphans, rows lost): feeds the decision matrix's error rate. */
  rows: z.number().int().nonnegative().optional(),
  /** Which decision-matrix indicator a failure counts as; `warning` never fails the run. */
  indicator: z.enum(["corruption", "errors", "query", "warning"]).optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const TableChecksum = z.object({
  table: z.string(),
  rowsBefore: z.number().int().nonnegative(),
  rowsAfter: z.number().int().nonnegative(),
  /** Pre-existing rows missing after the rollback (rows added meanwhile, e.g. by triggers, do not count). */
  lostRows: z.number().int().nonnegative(),
  matches: z.boolean(),
});

export const SlowdownResult = z.object({
  table: z.string(),
  query: z.string(),
  beforeMs: z.number().nonnegative(),
  afterMs: z.number().nonnegative(),
  slowdownPercent: z.number(),
  flagged: z.boolean(),
});

export const StepStatus = z.enum(["passed", "failed", "skipped"]);
export type StepStatus = z.infer<typeof StepStatus>;

export const Step = z.object({
  name: z.enum(["environment", "forward", "validate", "probe", "rollback", "forward-again", "partial-failure"]),
  status: StepStatus,
  durationMs: z.number().nonnegative(),
  summary: z.string(),
  /** The step itself broke (an internal error, the time budget ran out): this fails the run. */
  error: z.string().optional(),
});
export type Step = z.infer<typeof Step>;

/** Trace mode: the project's own migrate commands, what each sent, and the rules' findings on it. */
export const TraceReport = z.object({
  commands: z.array(
    z.object({
      phase: z.enum(["base", "change", "rollback"]),
      command: z.string(),
      cwd: z.string(),
      exitCode: z.number().int().nullable(),
      stopped: z.string().optional(),
      durationMs: z.number().nonnegative(),
      outputTail: z.string(),
      /** Statements the command sent, and those the replayed script leaves out (and why). */
      statements: z.object({
        sent: z.number().int().nonnegative(),
        readOnly: z.number().int().nonnegative(),
        bookkeeping: z.number().int().nonnegative(),
        failed: z.number().int().nonnegative(),
        rolledBack: z.number().int().nonnegative(),
        copy: z.number().int().nonnegative(),
      }),
      /** The statements that took effect, as the test replayed them. */
      sql: z.string(),
    }),
  ),
  findings: z.array(
    z.object({
      ruleId: z.string(),
      severity: Severity,
      message: z.string(),
      help: z.string().optional(),
      file: z.string(),
      line: z.number().int(),
      statement: z.string(),
    }),
  ),
});
export type TraceReport = z.infer<typeof TraceReport>;

export const GateId = z.enum(["tested", "rollback-validated", "performance-acceptable", "data-integrity", "zero-data-loss"]);
export type GateId = z.infer<typeof GateId>;

export const EvidenceReport = z.object({
  schemaVersion: z.literal(EVIDENCE_SCHEMA_VERSION),
  kind: z.literal("migration-guard-test-report"),
  tool: z.object({ name: z.literal("migration-guard"), version: z.string() }),
  createdAt: z.string(),
  /** The commit tested (from GITHUB_SHA or git), so the App can match the report to a PR head. */
  headSha: z.string().optional(),
  baseRef: z.string().optional(),
  engine: z.object({
    kind: EngineKind,
    serverVersion: z.string(),
    majorVersion: z.number().int(),
    /** The production version from config (`postgres_version` / `mysql_version`). */
    configuredVersion: z.string(),
    /** Set when the engine differs from production, in plain words. */
    versionWarning: z.string().optional(),
    /** What separated the change's SQL from the rest of the server (its role, privileges and time limits). */
    sandbox: z.string().optional(),
  }),
  settings: z.object({
    seedRows: z.number().int().nonnegative(),
    probe: z.boolean(),
    partialFailure: z.boolean(),
    thresholds: TestThresholds,
  }),
  environment: z.object({
    source: z.enum(["migrations", "schema_file", "empty"]),
    baseMigrations: z.array(z.string()),
    seeded: z.array(z.object({ table: z.string(), rows: z.number().int().nonnegative(), problem: z.string().optional() })),
    problems: z.array(Problem),
  }),
  steps: z.array(Step),
  migrations: z.array(MigrationEvidence),
  validation: z.array(CheckResult),
  rollback: z.object({
    ran: z.boolean(),
    /** Schema after rollback vs before the change: empty when the rollback is exact. */
    schemaDiff: z.array(SchemaChange),
    checksums: z.array(TableChecksum),
    lossy: z.boolean(),
    missingDowns: z.array(z.string()),
  }),
  probe: z.object({
    enabled: z.boolean(),
    reason: z.string().optional(),
    slowdowns: z.array(SlowdownResult),
  }),
  /** The recipe's quality gates this evidence can tick; absent = not evidenced. */
  gates: z.partialRecord(GateId, z.boolean()),
  verdict: z.object({
    passed: z.boolean(),
    /** Decision-matrix and step failures that fail the run. */
    failures: z.array(z.string()),
    warnings: z.array(z.string()),
  }),
  problems: z.array(Problem),
  trace: TraceReport.optional(),
});
export type EvidenceReport = z.infer<typeof EvidenceReport>;

/** The JSON Schema shipped for consumers of the artifact (generated, kept in sync by a test). */
export function evidenceJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://github.com/migration-guard/migration-guard/schema/test-report.schema.json",
    title: "migration-guard test report",
    ...(z.toJSONSchema(EvidenceReport, { target: "draft-2020-12", io: "output" }) as Record<string, unknown>),
  };
}
