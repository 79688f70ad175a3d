// The `gates:` key of `.github/migration-guard.yml`: which quality gates are required, who may
// sign off the manual ones, and the Rollback Decision Matrix thresholds the automatic ones use.
import { z } from "zod";
import { BUILTIN_GATES } from "./definitions.js";

/** GitHub repository permission levels, weakest first. */
export const RepoPermission = z.enum(["read", "triage", "write", "maintain", "admin"]);
export type RepoPermission = z.infer<typeof RepoPermission>;
export const PERMISSION_ORDER: RepoPermission[] = ["read", "triage", "write", "maintain", "admin"];

const GateId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "gate ids are kebab-case, e.g. dba-approval");

/** Who may sign off a manual gate. Every condition given must hold. */
export const SignoffPolicy = z
  .object({
    /** Minimum repository permission of the person signing off. */
    permission: RepoPermission.default("write"),
    /** When non-empty, only these GitHub logins (case-insensitive)… */
    users: z.array(z.string().min(1)).default([]),
    /** …or members of these teams (`team-slug` in the repository's org, or `org/team-slug`). */
    teams: z.array(z.string().min(1)).default([]),
    /** Distinct people who must sign off. */
    count: z.number().int().min(1).max(10).default(1),
    /** May the pull request's author sign off? */
    allow_author: z.boolean().default(false),
  })
  .strict();
export type SignoffPolicy = z.infer<typeof SignoffPolicy>;

/** Per-gate overrides: only the keys given replace the default policy's. */
const SignoffOverride = z
  .object({
    permission: RepoPermission.optional(),
    users: z.array(z.string().min(1)).optional(),
    teams: z.array(z.string().min(1)).optional(),
    count: z.number().int().min(1).max(10).optional(),
    allow_author: z.boolean().optional(),
  })
  .strict();

export const CustomGate = z
  .object({
    id: GateId,
    title: z.string().min(1),
    /** Shown under the checkbox: what the person signing off vouches for. */
    description: z.string().optional(),
    signoff: SignoffOverride.optional(),
  })
  .strict();
export type CustomGate = z.infer<typeof CustomGate>;

/**
 * The Rollback Decision Matrix and lock budgets the automatic gates apply. Unset values come from
 * the rest of the configuration (`test.thresholds`, `thresholds.max_blocking_seconds`) or the
 * recipe's defaults (errors > 1% of records, > 50% slower, any critical error, any corruption):
 * see resolveThresholds() in thresholds.ts, so one number is never configured in two places.
 */
export const GateThresholds = z
  .object({
    max_error_rate_percent: z.number().min(0).max(100).optional(),
    max_slowdown_percent: z.number().min(0).optional(),
    max_critical_errors: z.number().int().min(0).optional(),
    max_corruptions: z.number().int().min(0).optional(),
    /** Longest acceptable wait of an application query behind a migration statement (measured, ms). */
    max_lock_wait_ms: z.number().int().positive().optional(),
    /** Longest acceptable estimated hold of a traffic-blocking lock in production (seconds). */
    max_lock_hold_seconds: z.number().positive().optional(),
    /** Longest acceptable single statement in the ephemeral test (seconds, at seed volume). */
    max_statement_seconds: z.number().positive().optional(),
  })
  .strict();
export type GateThresholds = z.infer<typeof GateThresholds>;

export const GatesConfig = z
  .object({
    enabled: z.boolean().default(true),
    /**
     * Gate ids that must pass for the `migration-guard/gates` check to succeed; default: all the
     * gates. `commit-format` makes the commit-format check count too (it does not by default).
     */
    required: z.array(GateId).optional(),
    /** Default sign-off policy for manual gates. */
    signoff: SignoffPolicy.default(() => SignoffPolicy.parse({})),
    /** Per-gate sign-off overrides, keyed by gate id. */
    per_gate: z.record(GateId, z.object({ signoff: SignoffOverride }).strict()).default({}),
    custom: z.array(CustomGate).default([]),
    /** A push that changes migration files clears the sign-offs. */
    reset_on_push: z.boolean().default(true),
    thresholds: GateThresholds.default({}),
    /** Rule-id globs whose findings count as destructive or lossy ("Zero data loss confirmed"). */
    data_loss_rules: z
      .array(z.string().min(1))
      .default(["drop-column", "drop-table", "truncate-table", "drop-database-or-schema", "update-delete-without-where", "*lossy*", "*narrow*"]),
    /** Rule-id globs whose findings break running application code ("Application compatibility verified"). */
    incompatible_rules: z
      .array(z.string().min(1))
      .default(["rename-column", "rename-table", "drop-column", "drop-table", "alter-column-type", "set-not-null", "add-required-column", "dependent-object-drop-or-rename"]),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const message of gateIdProblems(config)) ctx.addIssue({ code: "custom", message: message.text, path: message.path });
  });
export type GatesConfig = z.infer<typeof GatesConfig>;

/** Listed in `gates.required`, the commit-format check blocks the gates check. */
export const COMMIT_FORMAT_GATE = "commit-format";

/** Gate ids the configuration mentions that no gate has (typos), or that cannot be configured. */
function gateIdProblems(config: {
  required?: string[];
  per_gate: Record<string, unknown>;
  custom: { id: string }[];
}): { path: (string | number)[]; text: string }[] {
  const builtin = new Map(BUILTIN_GATES.map((g) => [g.id, g.kind]));
  const known = new Set([...builtin.keys(), ...config.custom.map((c) => c.id)]);
  const problems: { path: (string | number)[]; text: string }[] = [];
  (config.required ?? []).forEach((id, i) => {
    if (!known.has(id) && id !== COMMIT_FORMAT_GATE) problems.push({ path: ["required", i], text: `unknown gate \`${id}\` (known: ${[...known].join(", ")})` });
  });
  for (const id of Object.keys(config.per_gate)) {
    if (!known.has(id)) problems.push({ path: ["per_gate", id], text: `unknown gate \`${id}\`` });
    else if (builtin.get(id) === "automatic") problems.push({ path: ["per_gate", id], text: `\`${id}\` is decided from evidence and cannot be signed off` });
  }
  const seen = new Set<string>();
  config.custom.forEach((c, i) => {
    if (builtin.has(c.id)) problems.push({ path: ["custom", i, "id"], text: `\`${c.id}\` is a built-in gate id` });
    if (seen.has(c.id)) problems.push({ path: ["custom", i, "id"], text: `duplicate custom gate \`${c.id}\`` });
    seen.add(c.id);
  });
  return problems;
}
