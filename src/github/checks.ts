// The `migration-guard` check run: what branch protection requires. Created completed in one
// call (each write costs a second of Probot's pacing); GitHub accepts at most 50 annotations
// per request, so the rest are appended with sequential updates.
import { CHECK_NAME, formatExternalId, type RunKey } from "./marker.js";
import type { CheckAnnotation } from "../core/render/check-run.js";
import type { GitHub } from "./octokit.js";

export type { CheckAnnotation };
import { CheckRunCreated, describeApiProblem } from "./schemas.js";

export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit for `output.summary` and `output.text`. */
export const CHECK_TEXT_LIMIT = 65_535;
/** More annotations than this are left to the summary: nobody reads the 1,001st. */
export const MAX_ANNOTATIONS = 1000;

export type CheckConclusion = "success" | "failure" | "neutral" | "action_required" | "skipped";

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckAnnotation[];
}

export interface CheckRunTarget {
  owner: string;
  repo: string;
  headSha: string;
}

export interface PublishedCheckRun {
  id: number;
  htmlUrl?: string;
}

export async function publishCheckRun(
  octokit: GitHub,
  target: CheckRunTarget,
  run: { conclusion: CheckConclusion; output: CheckOutput; key: RunKey; detailsUrl?: string },
): Promise<PublishedCheckRun> {
  const annotations = (run.output.annotations ?? []).slice(0, MAX_ANNOTATIONS);
  const base = baseOutput(run.output);
  const { data } = await octokit.rest.checks.create({
    owner: target.owner,
    repo: target.repo,
    name: CHECK_NAME,
    head_sha: target.headSha,
    status: "completed",
    conclusion: run.conclusion,
    external_id: formatExternalId(run.key),
    ...(run.detailsUrl ? { details_url: run.detailsUrl } : {}),
    output: annotations.length ? { ...base, annotations: annotations.slice(0, ANNOTATIONS_PER_REQUEST) } : base,
  });
  const created = CheckRunCreated.safeParse(data);
  if (!created.success) throw new Error(describeApiProblem("the created check run", created.error));
  // Sequential on purpose: annotations are appended in order, and writes are paced anyway.
  for (let i = ANNOTATIONS_PER_REQUEST; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    await octokit.rest.checks.update({
      owner: target.owner,
      repo: target.repo,
      check_run_id: created.data.id,
      output: { ...base, annotations: annotations.slice(i, i + ANNOTATIONS_PER_REQUEST) },
    });
  }
  return { id: created.data.id, htmlUrl: created.data.html_url ?? undefined };
}

/** Turns an existing check run (or a new one) into a failure that says what went wrong. */
export async function reportCheckRunFailure(
  octokit: GitHub,
  target: CheckRunTarget,
  existing: number | undefined,
  failure: { title: string; summary: string; key: RunKey; conclusion?: "failure" | "neutral" },
): Promise<void> {
  const output = baseOutput({ title: failure.title, summary: failure.summary });
  const conclusion = failure.conclusion ?? "failure";
  const external_id = formatExternalId(failure.key);
  if (existing !== undefined) {
    await octokit.rest.checks.update({ owner: target.owner, repo: target.repo, check_run_id: existing, status: "completed", conclusion, external_id, output });
    return;
  }
  await octokit.rest.checks.create({
    owner: target.owner,
    repo: target.repo,
    name: CHECK_NAME,
    head_sha: target.headSha,
    status: "completed",
    conclusion,
    external_id,
    output,
  });
}

function baseOutput(output: CheckOutput): { title: string; summary: string; text?: string } {
  return {
    title: clamp(output.title, 255),
    summary: clamp(output.summary, CHECK_TEXT_LIMIT),
    ...(output.text ? { text: clamp(output.text, CHECK_TEXT_LIMIT) } : {}),
  };
}

/** Last line of defence for GitHub's limits; the renderers already cut at section boundaries. */
export function clamp(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const note = "\n\n… (cut to fit GitHub's size limit)";
  return text.slice(0, limit - note.length) + note;
}
