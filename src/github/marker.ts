// The app keeps no state of its own: what it needs across events lives on GitHub, in a hidden,
// versioned marker at the end of its review bodies and in its check runs' `external_id`.
// Both are re-read and validated on every event; anything that does not parse is ignored.
import { z } from "zod";

export const CHECK_NAME = "migration-guard";

export const ReviewState = z.object({
  v: z.literal(1),
  /** Head commit the review was computed for. */
  head: z.string(),
  base: z.string(),
  /** Digest of the rendered body (without this marker): an identical result is not re-posted. */
  hash: z.string(),
  failed: z.boolean(),
  /** False once the pull request stopped changing migrations and the review was marked outdated. */
  migrations: z.boolean(),
});
export type ReviewState = z.infer<typeof ReviewState>;

const REVIEW_MARKER = /<!-- migration-guard:state (\{[^\n]*?\}) -->/;

export function formatReviewState(state: ReviewState): string {
  return `<!-- migration-guard:state ${JSON.stringify(state)} -->`;
}

export function parseReviewState(body: string): ReviewState | undefined {
  const match = REVIEW_MARKER.exec(body);
  if (!match) return undefined;
  try {
    const parsed = ReviewState.safeParse(JSON.parse(match[1]!));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function stripReviewState(body: string): string {
  return body.replace(REVIEW_MARKER, "").trimEnd();
}


/** Every finding an inline comment speaks for (findings on one statement share a comment). */
export function findingFingerprintsOf(body: string): string[] {
  return [...body.matchAll(/<!-- migration-guard:finding (\S+) -->/g)].map((m) => m[1]!);
}

/** What a check run of this app records about the run that produced it. */
export const RunOutcome = z.enum(["done", "draft", "no-migrations", "config-error", "failed"]);
export type RunOutcome = z.infer<typeof RunOutcome>;

export interface RunKey {
  pr: number;
  base: string;
  outcome: RunOutcome;
}

export function formatExternalId(key: RunKey): string {
  return `mg1 pr=${key.pr} outcome=${key.outcome} base=${key.base}`;
}

export function parseExternalId(externalId: string | null | undefined): RunKey | undefined {
  const match = /^mg1 pr=(\d+) outcome=(\S+) base=(.+)$/.exec(externalId ?? "");
  if (!match) return undefined;
  const outcome = RunOutcome.safeParse(match[2]);
  if (!outcome.success) return undefined;
  return { pr: Number(match[1]), outcome: outcome.data, base: match[3]! };
}
