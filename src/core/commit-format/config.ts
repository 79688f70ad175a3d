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

const DEFAULT_TICKET_PATTERN = "[A-Z][A-Z0-9]+-\\d+";

export const CommitFormatConfig = z
  .object({
    enabled: z.boolean().default(true),
    /**
     * Failures make the `migration-guard/gates` check fail (otherwise they are only reported).
     * Listing `commit-format` in `gates.required` does the same.
     */
    enforce: z.boolean().default(false),
    /**
     * `commits`: every commit of the PR that touches migrations; `pull_request`: the PR title and
     * body (for squash merges, where they become the commit message); `both`.
     */
    check: z.enum(["commits", "pull_request", "both"]).default("commits"),
    /** Regular expression the ticket id in `type(TICKET-ID):` must match (whole id). */
    ticket_pattern: z
      .string()
      .max(500)
      .default(DEFAULT_TICKET_PATTERN)
      .superRefine((p, ctx) => {
        // The default is valid; compiling it is ~10 ms of every command's start-up (RE2's tables).
        const problem = p === DEFAULT_TICKET_PATTERN ? undefined : ticketPatternProblem(p);
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

/**
 * The first ticket id in `text` (a PR title, a branch name), in linear time, standing on its own:
 * `ABC-12` in `feat(ABC-12)` or `abc-12-branch`, not inside `XABC-12`.
 */
export function findTicket(pattern: string, text: string): string | undefined {
  const matcher = RE2JS.compile(`(?:^|[^A-Za-z0-9])((?:${pattern}))(?:[^A-Za-z0-9]|$)`).matcher(text);
  return matcher.find() ? (matcher.group(1) ?? undefined) : undefined;
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

/** The repository's merge buttons, from the webhook payload (`allow_*_merge`); unknown when absent. */
export interface MergeSettings {
  squash?: boolean;
  mergeCommit?: boolean;
  rebase?: boolean;
}

/**
 * What to judge. When the repository allows only squash merges, the commits never reach the
 * base branch: the pull request's title and description become the commit, so they are judged.
 */
export function messagesToCheck(config: CommitFormatConfig, merge: MergeSettings = {}): CommitFormatConfig["check"] {
  if (merge.squash === true && merge.mergeCommit === false && merge.rebase === false) return "pull_request";
  return config.check;
}

export function mergeSettingsOf(repository: Record<string, unknown> | undefined): MergeSettings {
  const flag = (key: string) => (typeof repository?.[key] === "boolean" ? (repository[key] as boolean) : undefined);
  return { squash: flag("allow_squash_merge"), mergeCommit: flag("allow_merge_commit"), rebase: flag("allow_rebase_merge") };
}
