// The ephemeral test evidence the automatic gates need, reduced to what they decide on.
// The full test report (issue 5) is richer; an adapter maps it onto this shape, so the gates
// do not depend on every detail of that report's schema.
import { z } from "zod";

export const StatementEvidence = z.object({
  migrationId: z.string(),
  file: z.string().optional(),
  line: z.number().int().positive().optional(),
  durationMs: z.number().nonnegative(),
  /** Longest wait of an application query behind this statement (blocking probe). */
  lockWaitMs: z.number().nonnegative().optional(),
  rowsAffected: z.number().int().nonnegative().optional(),
  /** Rows the statement failed to migrate (migration errors of the Decision Matrix). */
  rowsFailed: z.number().int().nonnegative().optional(),
});
export type StatementEvidence = z.infer<typeof StatementEvidence>;

export const GateEvidence = z.object({
  /** Where a reader can see the full report (workflow run, artifact). */
  url: z.string().optional(),
  /** E.g. "PostgreSQL 15.8" or "PGlite (PostgreSQL 17)". */
  engine: z.string().optional(),
  /** The head SHA the test ran on; evidence for another SHA does not count. */
  headSha: z.string().optional(),
  /** False when the PR changed the workflow or action that produced the report. */
  trusted: z.boolean().default(true),
  untrustedReason: z.string().optional(),
  /**
   * Set when the run that produced the report did not succeed: the report may fail gates but never
   * pass them (a PR can make the test step fail early and upload a report it committed itself).
   */
  failuresOnly: z.string().optional(),
  /** Ids of the migrations the test applied; a report that applied none proves nothing. */
  testedMigrations: z.array(z.string()).optional(),
  forward: z.object({ ok: z.boolean(), error: z.string().optional() }),
  statements: z.array(StatementEvidence).default([]),
  validation: z.object({ ok: z.boolean(), failures: z.array(z.string()).default([]) }).optional(),
  rollback: z
    .object({
      ran: z.boolean(),
      ok: z.boolean(),
      /** Schema after rollback equals the schema before the migration. */
      schemaDiffEmpty: z.boolean(),
      diff: z.array(z.string()).default([]),
      /** Pre-existing rows did not come back after the rollback. */
      lossy: z.boolean().default(false),
      lossyTables: z.array(z.string()).default([]),
      /** up → down → up worked. */
      forwardAgainOk: z.boolean().optional(),
    })
    .optional(),
  /** Rows checked by the validations and rows found in error (migration errors of the Decision Matrix). */
  rows: z.object({ checked: z.number().int().nonnegative(), failed: z.number().int().nonnegative() }).optional(),
  /** Slow-down of application queries during the migration, percent over their baseline. */
  slowdownPercent: z.number().nonnegative().optional(),
  criticalErrors: z.number().int().nonnegative().default(0),
  corruptions: z.number().int().nonnegative().default(0),
});
export type GateEvidence = z.infer<typeof GateEvidence>;
export type GateEvidenceInput = z.input<typeof GateEvidence>;
