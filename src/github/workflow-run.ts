// `workflow_run.completed` for the migration-guard workflow: finds the pull request the run
// tested (fork PRs arrive with an empty `pull_requests` list, so also by head SHA), downloads
// the evidence artifact (a zip), validates it with zod under a size limit, and decides whether
// to trust it: a PR that edits the workflow or the action could have produced any report.
import type { Context } from "probot";
import { renderEvidenceMarkdown } from "../core/evidence/markdown.js";
import { EVIDENCE_ARTIFACT_NAME, EVIDENCE_FILE_NAME, EvidenceReport, TEST_WORKFLOW_PATH } from "../core/evidence/report.js";
import type { GateEvidence } from "../core/gates/evidence.js";
import { gateEvidenceFromReport } from "../core/gates/from-report.js";
import { readZipEntry } from "./artifact-zip.js";
import type { GitHub } from "./octokit.js";

/** The zipped artifact and the JSON inside it may not exceed these. */
const MAX_ARTIFACT_BYTES = 5 * 1024 * 1024;
const MAX_REPORT_BYTES = 20 * 1024 * 1024;

/** GitHub lists at most this many files of a pull request. */
const LISTED_FILES_LIMIT = 3000;

/** Files whose change in the PR means the report is the PR's own word, not the base branch's workflow. */
const TRUST_ANCHORS = [/^\.github\/workflows\//, /^action\.ya?ml$/, /^\.github\/actions\//];

export interface WorkflowRunPayload {
  repository: { name: string; owner: { login: string }; html_url: string; default_branch: string };
  workflow_run: {
    id: number;
    head_sha: string;
    /** The branch the run checked out: the pull request's head branch for `pull_request` runs (also from forks). */
    head_branch?: string | null;
    html_url: string;
    /** The workflow file, e.g. `.github/workflows/migration-guard.yml` (absent in some older deliveries). */
    path?: string;
    /** What started the run: `pull_request`, `push`, `workflow_dispatch`, `repository_dispatch`… */
    event?: string;
    status?: string | null;
    conclusion: string | null;
    pull_requests: { number: number; head: { sha: string } }[];
  };
}

export interface PullRequestFound {
  number: number;
  headSha: string;
  baseSha: string;
  baseRef: string;
  htmlUrl: string;
  changedFiles?: number;
}

export interface WorkflowEvidence {
  pullRequest: PullRequestFound;
  runUrl: string;
  /** The validated report, when the artifact was there and valid. */
  report?: EvidenceReport;
  /** Why there is no usable report (missing, too large, invalid), in plain words. */
  problem?: string;
  trusted: boolean;
  untrustedReason?: string;
  /** Set when the run did not succeed: its report can fail gates, never pass them. */
  failuresOnly?: string;
}

interface Options {
  maxArtifactBytes?: number;
  maxReportBytes?: number;
}

/**
 * The evidence of one completed run, or undefined when the run is not ours (no test-report
 * artifact) or tested no open pull request.
 */
export async function collectWorkflowEvidence(octokit: GitHub, payload: WorkflowRunPayload, options: Options = {}): Promise<WorkflowEvidence | undefined> {
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  const run = payload.workflow_run;
  // Only the workflow `init` writes produces evidence: another workflow can run the pull request's
  // code, which can upload an artifact of any name.
  if (!isOurWorkflow(run.path)) return undefined;
  const artifacts = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, { owner, repo, run_id: run.id, per_page: 100 });
  const artifact = artifacts.find((a) => a.name === EVIDENCE_ARTIFACT_NAME);
  const pullRequest = await findPullRequest(octokit, owner, repo, run);
  if (!pullRequest) return undefined;
  const evidence: WorkflowEvidence = { pullRequest, runUrl: run.html_url, trusted: true };
  const distrust = (reason: string) => {
    if (!evidence.trusted) return;
    evidence.trusted = false;
    evidence.untrustedReason = reason;
  };
  if (run.event !== "pull_request") {
    distrust(`the run was started by \`${run.event ?? "an unknown event"}\`, not by the pull request: only the workflow's \`pull_request\` runs test the pull request with the base branch's workflow`);
  }
  const anchors = await changedTrustAnchors(octokit, owner, repo, pullRequest, run.path);
  if (anchors.changed.length) {
    distrust(`the pull request changes ${anchors.changed.map((f) => `\`${f}\``).join(", ")}, which produced this report: evidence-based gates stay unticked until a maintainer runs the base branch's workflow`);
  } else if (!anchors.complete) {
    distrust(`the pull request changes ${pullRequest.changedFiles} files, more than GitHub lists, so it cannot be verified that it leaves the workflow unchanged`);
  }
  if (run.status !== "completed" || run.conclusion !== "success") {
    evidence.failuresOnly = `the workflow run ${run.status !== "completed" ? "has not completed" : `ended \`${run.conclusion ?? "without a conclusion"}\``}, so its report can fail gates but not pass them`;
  }
  if (!artifact) {
    evidence.problem = `the run (${run.conclusion ?? "no conclusion"}) uploaded no \`${EVIDENCE_ARTIFACT_NAME}\` artifact`;
    return evidence;
  }
  if (artifact.expired) {
    evidence.problem = "the test-report artifact has expired";
    return evidence;
  }
  const maxArtifact = options.maxArtifactBytes ?? MAX_ARTIFACT_BYTES;
  if (artifact.size_in_bytes > maxArtifact) {
    evidence.problem = `the test-report artifact is ${artifact.size_in_bytes} bytes, over the ${maxArtifact}-byte limit`;
    return evidence;
  }
  const zip = await downloadWithin(octokit, { owner, repo, artifact_id: artifact.id }, maxArtifact);
  if (!zip.ok) {
    evidence.problem = zip.problem;
    return evidence;
  }
  const parsed = parseArtifact(zip.bytes, options.maxReportBytes ?? MAX_REPORT_BYTES);
  if (!parsed.ok) {
    evidence.problem = parsed.problem;
    return evidence;
  }
  evidence.report = parsed.report;
  if (!parsed.report.headSha) distrust("the report does not name the commit it tested");
  else if (parsed.report.headSha !== run.head_sha) distrust(`the report says it tested ${parsed.report.headSha.slice(0, 7)}, but the run was for ${run.head_sha.slice(0, 7)}`);
  if (evidence.failuresOnly && parsed.report.verdict.passed) {
    distrust(`the report says the test passed, but the run ended \`${run.conclusion ?? "without a conclusion"}\`: the report is not the test's own`);
  }
  return evidence;
}

/** The test workflow `init` writes (and the single workflow file earlier versions wrote). */
function isOurWorkflow(path: string | undefined): boolean {
  const file = path?.replace(/@.*$/, ""); // GitHub may append the ref (`…yml@refs/heads/main`)
  return file === TEST_WORKFLOW_PATH || file === ".github/workflows/migration-guard.yml" || file === ".github/workflows/migration-guard.yaml";
}

/**
 * The artifact's zip, read as it arrives and abandoned past `maxBytes`: the bytes that come, not the
 * listing's `size_in_bytes`, are what is counted.
 */
async function downloadWithin(octokit: GitHub, artifact: { owner: string; repo: string; artifact_id: number }, maxBytes: number): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; problem: string }> {
  const tooLarge = { ok: false as const, problem: `the test-report artifact's download is over the ${maxBytes}-byte limit` };
  const response = await octokit.rest.actions.downloadArtifact({ ...artifact, archive_format: "zip", request: { parseSuccessResponseBody: false } });
  const body = response.data as unknown as ReadableStream<Uint8Array> | ArrayBuffer | null;
  if (!body) return { ok: false, problem: "the test-report artifact's download was empty" };
  if (body instanceof ArrayBuffer) return body.byteLength > maxBytes ? tooLarge : { ok: true, bytes: new Uint8Array(body) };
  const reader = body.getReader();
  if (Number(response.headers["content-length"] ?? 0) > maxBytes) {
    await reader.cancel();
    return tooLarge;
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.length;
    if (received > maxBytes) {
      await reader.cancel();
      return tooLarge;
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

/** The zip's report, validated; every way it can be wrong becomes a sentence. */
function parseArtifact(zip: Uint8Array, maxReportBytes: number): { ok: true; report: EvidenceReport } | { ok: false; problem: string } {
  const file = readZipEntry(zip, EVIDENCE_FILE_NAME, maxReportBytes);
  if (!file.ok) return file;
  const bytes = file.bytes;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, problem: `\`${EVIDENCE_FILE_NAME}\` is not valid JSON` };
  }
  const result = EvidenceReport.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return { ok: false, problem: `\`${EVIDENCE_FILE_NAME}\` does not match the test-report schema v1 (${issues.join("; ")})` };
  }
  return { ok: true, report: result.data };
}

async function findPullRequest(octokit: GitHub, owner: string, repo: string, run: WorkflowRunPayload["workflow_run"]): Promise<PullRequestFound | undefined> {
  const listed = run.pull_requests.find((p) => p.head.sha === run.head_sha);
  let number = listed?.number;
  if (number === undefined) {
    // Fork PRs: the run carries no pull_requests; the open PR whose head is the run's SHA is the one.
    // Two PRs can share a head commit (one branch, two bases): the run's branch decides.
    for await (const page of octokit.paginate.iterator(octokit.rest.pulls.list, { owner, repo, state: "open", per_page: 100 })) {
      const same = page.data.filter((p) => p.head.sha === run.head_sha);
      number = (same.find((p) => p.head.ref === run.head_branch) ?? same[0])?.number;
      if (number !== undefined) break;
    }
  }
  if (number === undefined) return undefined;
  const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
  if (pr.state !== "open" || pr.head.sha !== run.head_sha) return undefined;
  return { number, headSha: pr.head.sha, baseSha: pr.base.sha, baseRef: pr.base.ref, htmlUrl: pr.html_url, changedFiles: pr.changed_files };
}

/** The trust anchors the pull request changes; `complete` is false when GitHub did not list all its files (it lists 3,000 at most). */
async function changedTrustAnchors(octokit: GitHub, owner: string, repo: string, pr: PullRequestFound, workflowPath: string | undefined): Promise<{ changed: string[]; complete: boolean }> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: pr.number, per_page: 100 });
  const workflowFile = workflowPath?.replace(/@.*$/, "");
  const changed = files
    .flatMap((f) => [f.filename, f.previous_filename].filter((n): n is string => Boolean(n)))
    .filter((name) => name === workflowFile || TRUST_ANCHORS.some((re) => re.test(name)))
    .filter((name, i, all) => all.indexOf(name) === i);
  return { changed, complete: files.length < LISTED_FILES_LIMIT || (pr.changedFiles !== undefined && files.length >= pr.changedFiles) };
}

/** The evidence as the gates read it (mapping owned by src/core/gates/from-report.ts). */
export function toGateEvidence(evidence: WorkflowEvidence): GateEvidence | undefined {
  if (!evidence.report) return undefined;
  return gateEvidenceFromReport(evidence.report, { url: evidence.runUrl, trusted: evidence.trusted, untrustedReason: evidence.untrustedReason, failuresOnly: evidence.failuresOnly });
}

/** The review's evidence section. */
export function renderEvidenceSection(evidence: WorkflowEvidence): string {
  const lines: string[] = [];
  if (!evidence.trusted) lines.push(`> ⚠️ **This test report is not trusted:** ${evidence.untrustedReason}.`, "");
  if (!evidence.report) {
    lines.push(`### Migration test`, "", `No usable test report from [the workflow run](${evidence.runUrl}): ${evidence.problem ?? "unknown problem"}.`);
    return `${lines.join("\n")}\n`;
  }
  return `${lines.join("\n")}${lines.length ? "\n" : ""}${renderEvidenceMarkdown(evidence.report, { maxStatements: 20 }).replace(/^## /, "### ")}\n[Workflow run](${evidence.runUrl})\n`;
}

type Review = (
  context: Context,
  target: PullRequestFound & { owner: string; repo: string; repoHtmlUrl: string; defaultBranch: string },
  options: { force: boolean; sections: { evidence: string } },
) => Promise<unknown>;

/**
 * The App's route for `workflow_run.completed`: collects the evidence, hands it to the gates
 * (`attachGate`) and re-runs the review with the evidence section.
 */
export async function handleWorkflowRunEvidence(
  context: Context<"workflow_run.completed">,
  deps: { review: Review; attachGate: (context: object, evidence: GateEvidence) => void },
): Promise<"ignored" | "reviewed"> {
  const payload = context.payload as unknown as WorkflowRunPayload;
  const evidence = await collectWorkflowEvidence(context.octokit, payload);
  if (!evidence) {
    context.log.debug(`workflow_run ${payload.workflow_run.id}: not a migration-guard test run of an open pull request`);
    return "ignored";
  }
  const gate = toGateEvidence(evidence);
  if (gate) deps.attachGate(context, gate);
  context.log.info(
    `workflow_run ${payload.workflow_run.id}: evidence for #${evidence.pullRequest.number} (${evidence.report ? (evidence.report.verdict.passed ? "passed" : "failed") : "no report"}${evidence.trusted ? "" : ", untrusted"})`,
  );
  await deps.review(context as unknown as Context, { ...evidence.pullRequest, owner: payload.repository.owner.login, repo: payload.repository.name, repoHtmlUrl: payload.repository.html_url, defaultBranch: payload.repository.default_branch }, { force: true, sections: { evidence: renderEvidenceSection(evidence) } });
  return "reviewed";
}
