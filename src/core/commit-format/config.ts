// The `commit_format:` key: the recipe's commit message format and what to check it on.
import { RE2JS } from "re2js";
import { z } from "zod";

export const COMMIT_FIELDS = ["migration", "schema_changes", "data_transformations", "performance_impact", "rollback_tested", "deployment_window"] as const;
export const CommitField = z.enum(COMMIT_FIELDS);
export type CommitField = z.infer<typeof CommitField>;

/** How each field is written in a message. */
export const FIELD_LABELS: Record<CommitField, string> = {
  migration: "Migration",
  schema_changes: "Schema changes",
  data_transformations: "Data transformations",
  performance_impact: "Performance impact",
  rollback_tested: "Rollback tested",
  deployment_window: "Deployment window",
};

export const CommitFormatConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** Failures make the `migration-guard/gates` check fail (otherwise they are only reported). */
    enforce: z.boolean().default(true),
    /**
     * `commits`: every commit of the PR that touches migrations; `pull_request`: the PR title and
     * body (for squash merges, where they become the commit message); `both`.
     */
    check: z.enum(["commits", "pull_request", "both"]).default("commits"),
    /** Regular expression the ticket id in `type(TICKET-ID):` must match (whole id). */
    ticket_pattern: z
      .string()
      .max(500)
      .default("[A-Z][A-Z0-9]+-\\d+")
      .superRefine((p, ctx) => {
        const problem = ticketPatternProblem(p);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    types: z.array(z.string().regex(/^[a-z]+$/)).min(1).default(["feat", "fix", "refactor", "perf", "chore", "revert"]),
    required_fields: z.array(CommitField).default([...COMMIT_FIELDS]),
    max_subject_length: z.number().int().min(20).default(100),
  })
  .strict();
export type CommitFormatConfig = z.infer<typeof CommitFormatConfig>;

/**
 * The ticket pattern runs on PR titles and commit subjects anyone can write, so it is matched
 * with RE2 (linear time: `(a+)+` cannot freeze the server). RE2 has no backreferences or
 * lookaround; a pattern using them is a configuration error, not a silent mismatch.
 */
export function compileTicketPattern(pattern: string): RE2JS {
  return RE2JS.compile(`(?:${pattern})`);
}

/** The first ticket id in `text` (a PR title, a branch name), in linear time. */
export function findTicket(pattern: string, text: string): string | undefined {
  const matcher = compileTicketPattern(pattern).matcher(text);
  return matcher.find() ? (matcher.group() ?? undefined) : undefined;
}

function ticketPatternProblem(pattern: string): string | undefined {
  try {
    compileTicketPattern(pattern);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : String(error);
    return `not a regular expression migration-guard can match in linear time (${reason}); backreferences and lookaround are not supported`;
  }
}
