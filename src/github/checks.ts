// The `migration-guard` check run: what branch protection requires. Created completed in one
// call (each write costs a second of Probot's pacing); GitHub accepts at most 50 annotations
// per request, so the rest are appended with sequential updates.
import { CHECK_NAME, formatExternalId, type RunKey } from "./marker.js";
import type { CheckAnnotation } from "../core/render/check-run.js";
import type { GitHub } from "./octokit.js";

export type { CheckAnnotation };
import { CheckRunCreated, CheckRunWritten, describeApiProblem } from "./schemas.js";
import type { WriteBatch } from "./write-batch.js";

const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit for `output.summary` and `output.text`. */
const CHECK_TEXT_LIMIT = 65_535;
/** More annotations than this are left to the summary: nobody reads the 1,001st. */
const MAX_ANNOTATIONS = 1000;

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
  run: { conclusion: CheckConclusion; output: CheckOutput; key: RunKey; detailsUrl?: string; existing?: ExistingCheckRun },
): Promise<PublishedCheckRun> {
  const annotations = (run.output.annotations ?? []).slice(0, MAX_ANNOTATIONS);
  const base = baseOutput(run.output);
  if (run.existing) {
    // Same head, same findings: the run's annotations stay (sending them again would add copies).
    const { data } = await octokit.rest.checks.update({
      owner: target.owner,
      repo: target.repo,
      check_run_id: run.existing.id,
      status: "completed",
      conclusion: run.conclusion,
      external_id: formatExternalId(run.key),
      ...(run.detailsUrl ? { details_url: run.detailsUrl } : {}),
      output: base,
    });
    const updated = CheckRunCreated.safeParse(data);
    return { id: run.existing.id, htmlUrl: updated.success ? (updated.data.html_url ?? undefined) : undefined };
  }
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
  await appendAnnotations(octokit, target, created.data.id, base, annotations);
  return { id: created.data.id, htmlUrl: created.data.html_url ?? undefined };
}

/** Annotations past the first request's 50, appended to the run through REST. */
async function appendAnnotations(octokit: GitHub, target: CheckRunTarget, id: number, base: Omit<CheckOutput, "annotations">, annotations: CheckAnnotation[]): Promise<void> {
  // Sequential on purpose: annotations are appended in order, and writes are paced anyway.
  for (let i = ANNOTATIONS_PER_REQUEST; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    await octokit.rest.checks.update({
      owner: target.owner,
      repo: target.repo,
      check_run_id: id,
      output: { ...base, annotations: annotations.slice(i, i + ANNOTATIONS_PER_REQUEST) },
    });
  }
}

/**
 * The same check run as `publishCheckRun`, queued in the delivery's write batch (one GraphQL
 * request with the gates' writes). The first 50 annotations ride along; the rest are appended
 * through REST once the run exists, as `publishCheckRun` does.
 */
export function queueCheckRun(
  octokit: GitHub,
  writes: WriteBatch,
  target: CheckRunTarget & { repositoryId: string },
  run: { conclusion: CheckConclusion; output: CheckOutput; key: RunKey; detailsUrl?: string; existing?: ExistingCheckRun },
): Promise<PublishedCheckRun> {
  const existing = run.existing?.nodeId ? run.existing : undefined;
  // An update keeps the run's annotations (sending them again would add copies).
  const annotations = existing ? [] : (run.output.annotations ?? []).slice(0, MAX_ANNOTATIONS);
  const base = baseOutput(run.output);
  const created = queueCheckRunWrite(writes, {
    ...(existing ? { checkRunId: existing.nodeId } : {}),
    repositoryId: target.repositoryId,
    name: CHECK_NAME,
    headSha: target.headSha,
    conclusion: run.conclusion,
    externalId: formatExternalId(run.key),
    detailsUrl: run.detailsUrl,
    output: { ...base, annotations: annotations.slice(0, ANNOTATIONS_PER_REQUEST) },
  });
  return created.then(async (written) => {
    await appendAnnotations(octokit, target, written.id, base, annotations);
    return { id: written.id, htmlUrl: written.htmlUrl };
  });
}

/** The app's run on this head that a re-run or new evidence updates in place (one run per head). */
export interface ExistingCheckRun {
  id: number;
  nodeId?: string;
}

export interface CheckRunWrite {
  repositoryId: string;
  /** The node id of the run to update in place; absent: a new run. */
  checkRunId?: string;
  name: string;
  headSha: string;
  conclusion: CheckConclusion;
  externalId: string;
  detailsUrl?: string;
  output: { title: string; summary: string; text?: string; annotations?: CheckAnnotation[] };
}

export interface WrittenCheckRun {
  id: number;
  nodeId: string;
  htmlUrl: string;
}

/** A completed check run as a batched `createCheckRun` (or `updateCheckRun`) mutation. */
export function queueCheckRunWrite(writes: WriteBatch, run: CheckRunWrite): Promise<WrittenCheckRun> {
  const annotations = run.output.annotations ?? [];
  const output = {
    title: run.output.title,
    summary: run.output.summary,
    ...(run.output.text ? { text: run.output.text } : {}),
    ...(annotations.length ? { annotations: annotations.map(annotationData) } : {}),
  };
  const fields = {
    repositoryId: run.repositoryId,
    status: "COMPLETED",
    conclusion: run.conclusion.toUpperCase(),
    externalId: run.externalId,
    ...(run.detailsUrl ? { detailsUrl: run.detailsUrl } : {}),
    output,
  };
  const update = run.checkRunId !== undefined;
  return writes.enqueue({
    field: update ? "updateCheckRun" : "createCheckRun",
    inputType: update ? "UpdateCheckRunInput!" : "CreateCheckRunInput!",
    input: update ? { ...fields, checkRunId: run.checkRunId } : { ...fields, name: run.name, headSha: run.headSha },
    selection: "checkRun { id databaseId url }",
    parse: (data) => {
      const written = CheckRunWritten.safeParse(data);
      if (!written.success) throw new Error(describeApiProblem(`the written check run ${run.name}`, written.error));
      return { id: written.data.checkRun.databaseId, nodeId: written.data.checkRun.id, htmlUrl: written.data.checkRun.url };
    },
  });
}

/** GitHub's GraphQL `CheckAnnotationData` for a REST-shaped annotation. */
function annotationData(a: CheckAnnotation): Record<string, unknown> {
  return {
    path: a.path,
    location: {
      startLine: a.start_line,
      endLine: a.end_line,
      ...(a.start_column !== undefined ? { startColumn: a.start_column } : {}),
      ...(a.end_column !== undefined ? { endColumn: a.end_column } : {}),
    },
    annotationLevel: a.annotation_level.toUpperCase(),
    message: a.message,
    title: a.title,
    ...(a.raw_details ? { rawDetails: a.raw_details } : {}),
  };
}

/** Replaces a check run's title, summary and text (its annotations stay). */
export async function updateCheckRunOutput(octokit: GitHub, target: CheckRunTarget, id: number, output: CheckOutput): Promise<void> {
  await octokit.rest.checks.update({ owner: target.owner, repo: target.repo, check_run_id: id, output: baseOutput(output) });
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
function clamp(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const note = "\n\n… (cut to fit GitHub's size limit)";
  return text.slice(0, limit - note.length) + note;
}
