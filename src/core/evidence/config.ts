// The `test:` section of `.github/migration-guard.yml`: how `migration-guard test` builds its
// scratch database, what it checks and which thresholds (the recipe's Rollback Decision Matrix)
// fail it. Kept here so the evidence code owns its settings; the config schema mounts it.
import { z } from "zod";

export const DEFAULT_SEED_ROWS = 1_000;
/** Most rows generated for a table whose statistics give its production row count. */
export const STATS_SEED_CAP = 10_000;

const ValidateQuery = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().min(1),
      /** Must return one row whose first column is true. */
      sql: z.string().min(1),
    })
    .strict(),
]);

export const TestThresholds = z
  .object({
    /** Decision matrix "Migration errors > 1% records": share of seeded rows lost, orphaned or rejected. */
    max_error_rate_percent: z.number().min(0).max(100).default(1),
    /** Decision matrix "Performance degradation > 50% slower": probe queries after vs before the change. */
    max_slowdown_percent: z.number().min(0).default(50),
    /** Slow-downs smaller than this (ms) are noise at seed volume and never fail. */
    min_slowdown_ms: z.number().min(0).default(2),
    /** Longest wait of an application query behind a migration statement (ms, at seed volume). */
    max_blocking_ms: z.number().int().positive().default(200),
    /** Decision matrix "Data corruption: any detected": failed validation, non-atomic partial failure. */
    fail_on_corruption: z.boolean().default(true),
    /** A rollback that does not bring pre-existing rows back (dropped column, lossy type change). */
    fail_on_lossy_rollback: z.boolean().default(false),
    /** The schema after rollback differs from the schema before the change. */
    fail_on_schema_drift: z.boolean().default(true),
  })
  .strict();
export type TestThresholds = z.infer<typeof TestThresholds>;

/** Time limits of the ephemeral test: the change's SQL never runs unbounded. */
export const TestTimeouts = z
  .object({
    /** Longest a single statement (of the change, the base or the seed) may run. */
    statement_ms: z.number().int().min(100).max(86_400_000).default(300_000),
    /** Longest a session may sit idle inside an open transaction. */
    idle_in_transaction_ms: z.number().int().min(100).max(86_400_000).default(60_000),
    /** The whole test: building the environment, every step, the rollback. */
    total_ms: z.number().int().min(1_000).max(86_400_000).default(1_800_000),
  })
  .strict();
export type TestTimeouts = z.infer<typeof TestTimeouts>;

export const TestConfigSchema = z
  .object({
    /**
     * The project's own migrate command (`npx knex migrate:latest`, `python manage.py migrate`):
     * the test runs it against the scratch database and traces every statement it sends.
     */
    command: z.string().min(1).optional(),
    /** The command that rolls the change back (`npx knex migrate:rollback`), traced the same way. */
    down_command: z.string().min(1).optional(),
    /** SQL file holding the pre-change schema (e.g. `pg_dump --schema-only`), instead of replaying base migrations. */
    schema_file: z.string().min(1).optional(),
    seed: z
      .object({
        /**
         * Rows generated per table without table statistics (with them: the production row count,
         * capped at STATS_SEED_CAP). Small, so a statement that is quadratic in the rows stays fast.
         */
        rows: z.number().int().min(0).max(10_000_000).default(DEFAULT_SEED_ROWS),
        /** Per-table overrides, by `table` or `schema.table`. */
        tables: z.record(z.string(), z.number().int().min(0)).default({}),
        /** A seed SQL file run instead of generated rows. */
        file: z.string().min(1).optional(),
      })
      .strict()
      .default(() => ({ rows: DEFAULT_SEED_ROWS, tables: {} })),
    /** Queries that must return true after the forward migration (and after forward again). */
    validate: z.array(ValidateQuery).default([]),
    probe: z
      .object({
        enabled: z.boolean().default(true),
        /** Application-like queries per table (`{table}` is replaced by the quoted table name); default a select, an insert and an update. */
        queries: z.record(z.string(), z.array(z.string().min(1))).default({}),
      })
      .strict()
      .default(() => ({ enabled: true, queries: {} })),
    /** Run the partial-failure step (interrupting each migration mid-way). */
    partial_failure: z.boolean().default(true),
    thresholds: TestThresholds.default(() => TestThresholds.parse({})),
    timeouts: TestTimeouts.default(() => TestTimeouts.parse({})),
  })
  .strict();
export type TestConfig = z.infer<typeof TestConfigSchema>;
