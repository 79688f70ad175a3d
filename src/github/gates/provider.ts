// The gates' part of the review path: runs inside the App's analysis of a pull request (a section
// provider, see src/app/sections.ts). Decides the automatic gates from the report and the test
// evidence, resets sign-offs when a push changed migrations, checks the commit format, and
// returns the gates, commit-format and runbook sections of the review.
import type { Context } from "probot";
import { checkCommitFormat, type CommitFormatResult, type CommitInput } from "../../core/commit-format/check.js";
import { mergeSettingsOf, messagesToCheck, type MergeSettings } from "../../core/commit-format/config.js";
import { firstTicket, generateCommitMessage } from "../../core/commit-format/generate.js";
import { renderCommitFormatSection } from "../../core/commit-format/render.js";
import type { Config } from "../../core/config/schema.js";
import { selectMigrationFiles } from "../../core/discover/index.js";
import { COMMIT_FORMAT_GATE } from "../../core/gates/config.js";
import { evaluateAutoGates } from "../../core/gates/evaluate.js";
import type { GateEvidence } from "../../core/gates/evidence.js";
import { renderGatesSection } from "../../core/gates/render.js";
import { compactEvidence, markProcessed, resetSignoffs, wasProcessed, type GateState } from "../../core/gates/state.js";
import { resolveThresholds } from "../../core/gates/thresholds.js";
import type { AnalysisReport } from "../../core/report.js";
import { describeChanges } from "../../core/runbook/changes.js";
import { renderFoldedRunbook } from "../../core/runbook/runbook.js";
import type { GitHub } from "../octokit.js";
import type { PullRequestSnapshot } from "../state.js";
import type { WriteBatch } from "../write-batch.js";
import { commitFiles, filesChangedBetween, gatesExternalId, listPullCommits, queueGatesCheck, queueStickyComment, type RepoRef } from "./api.js";
import {
  loadState,
  prepareGates,
  publishGates,
  readPull,
  resolveOptions,
  type GatesOptions,
  type GatesWrite,
  type LoadedState,
  type PullInfo,
} from "./handlers.js";

/** Commits whose files are listed one by one for the commit-format check (one API call each). */
const MAX_COMMITS_CHECKED = 50;

const attached = new WeakMap<object, GateEvidence>();

/**
 * The evidence handler (workflow_run) hands validated test evidence to this event's analysis.
 * Scoped to the event's context object: nothing outlives the event.
 */
export function attachGateEvidence(context: object, evidence: GateEvidence): void {
  attached.set(context, evidence);
}

export interface GateSectionInput {
  context: Context;
  report: AnalysisReport;
  config: Config;
  pullRequest: { owner: string; repo: string; number: number; headSha: string };
  /** Migration file contents by path (for the runbook's statements and schema-change claims). */
  sources?: Map<string, string>;
  /** What the review already read from GitHub (src/github/state.ts): the gates skip those reads. */
  snapshot?: Pick<PullRequestSnapshot, "pull" | "gates"> & Partial<Pick<PullRequestSnapshot, "nodeIds">>;
  /** All the files the pull request changes, when GitHub listed them completely. */
  files?: { path: string }[];
  /** The delivery's write batch: with the snapshot's node ids, the gates' two writes are queued there. */
  writes?: WriteBatch;
}

export type GateSections = { gates?: string; commitFormat?: string; runbook?: string };
type Sections = GateSections & { afterWrites?: Promise<{ sections: GateSections; failed?: boolean }> };

/** The gates section when the gates' reads or writes failed: `why` ends the sentence. */
const gatesNotUpdated = (why: string) => `### Quality gates\n\n⚠️ The quality gates could not be updated for this commit (see the app's logs)${why}`;

export function gatesSectionProvider(options: GatesOptions = {}): (input: GateSectionInput) => Promise<Sections> {
  return async (input) => {
    try {
      return await gateSections(input, options);
    } catch (error) {
      // The review still goes out without these sections; the log names the failed call only
      // (request errors can carry headers, and headers carry tokens).
      input.context.log.error(`gates: could not update the quality gates for #${input.pullRequest.number}: ${describeFailure(error)}`);
      return { gates: gatesNotUpdated("; the `migration-guard/gates` check was not changed.") };
    }
  };
}

function describeFailure(error: unknown): string {
  const e = error as { status?: number; request?: { method?: string; url?: string }; message?: string };
  if (e?.request?.url) return `${e.request.method ?? "request"} ${e.request.url.split("?")[0]} failed${e.status ? ` with ${e.status}` : ""}`;
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.replace(/(token|bearer)\s+\S+/gi, "$1 [redacted]").slice(0, 300);
}

export async function gateSections(input: GateSectionInput, options: GatesOptions = {}): Promise<Sections> {
  const { context, report, config } = input;
  const octokit = context.octokit;
  const repo: RepoRef = { owner: input.pullRequest.owner, repo: input.pullRequest.repo };
  const resolved = resolveOptions(options);
  const known = input.snapshot;
  const pr = await pullInfo(input, repo);
  const sources = input.sources ?? new Map<string, string>();
  const changes = describeChanges(report, sources);
  const thresholds = resolveThresholds(config);
  const sections: Sections = {};
  const now = new Date().toISOString();

  let evidence = attached.get(context);
  let commitResult: CommitFormatResult | undefined;
  if (config.gates.enabled) {
    const loaded = await loadState(octokit, repo, pr, resolved, now, known?.gates);
    let state = await resetOnPush(context, octokit, repo, config, loaded.state, now);
    if (evidence) state = { ...state, evidence: { headSha: pr.headSha, evidence: compactEvidence(evidence) } };
    else if (state.evidence?.headSha === pr.headSha) evidence = state.evidence.evidence;
    const auto = evaluateAutoGates({ report, evidence, config: config.gates, thresholds, headSha: pr.headSha, prBody: pr.body });
    state = { ...state, auto: { headSha: pr.headSha, gates: auto } };
    if (config.commit_format.enabled) {
      commitResult = await checkCommits(octokit, repo, pr, config, { report, changes, evidence }, { ...input, merge: mergeSettingsOf(repositoryOf(context)) });
      state = { ...state, commitFormat: { headSha: pr.headSha, ok: commitResult.ok, problems: commitResult.problems.length, enforced: config.commit_format.enforce || (config.gates.required ?? []).includes(COMMIT_FORMAT_GATE) } };
    }
    const nodeIds = known?.nodeIds;
    if (input.writes && nodeIds) {
      const write = prepareGates(repo, pr, config, loaded, state, resolved);
      sections.gates = renderGatesSection(write.summary, loaded.sticky?.html_url);
      sections.afterWrites = queueGates(input, { ...repo, ...nodeIds }, pr, loaded, write);
    } else {
      const { summary, comment } = await publishGates(octokit, repo, pr, config, loaded, state, resolved);
      sections.gates = renderGatesSection(summary, comment.html_url);
    }
  } else if (config.commit_format.enabled) {
    commitResult = await checkCommits(octokit, repo, pr, config, { report, changes, evidence }, { ...input, merge: mergeSettingsOf(repositoryOf(context)) });
  }
  if (commitResult) {
    const messages = (known?.gates.commits ?? []).map((c) => c.message);
    const ticket = firstTicket([pr.title, ...messages, pr.body, headRefOf(context)], config.commit_format.ticket_pattern);
    const suggestion = commitResult.ok ? undefined : generateCommitMessage(report, config.commit_format, { changes, evidence, ticket });
    sections.commitFormat = renderCommitFormatSection(commitResult, suggestion);
  }
  sections.runbook = renderFoldedRunbook(report, { sources, thresholds, lockTimeoutMs: Math.min(2000, config.thresholds.max_lock_timeout_ms), evidence, headingLevel: 4 });
  return sections;
}

/** The pull request from the event's payload, else from the review's snapshot, else read (one call). */
async function pullInfo(input: GateSectionInput, repo: RepoRef): Promise<PullInfo> {
  const { number, headSha } = input.pullRequest;
  const payload = input.context.payload as { pull_request?: { number: number; user: { login: string }; title: string; body?: string | null; state: string; html_url?: string } };
  const pull = payload.pull_request;
  if (pull?.number === number) {
    return { number, author: pull.user.login, headSha, title: pull.title, body: pull.body ?? "", open: pull.state === "open", htmlUrl: pull.html_url };
  }
  const known = input.snapshot?.pull;
  if (known) return { number, headSha, author: known.author, title: known.title, body: known.body, open: true, htmlUrl: known.url };
  return { ...(await readPull(input.context.octokit, repo, number)), headSha };
}

/**
 * Queues the sticky comment and the gates check run in the delivery's write batch. The check
 * links to the comment (to the pull request while a new comment's address is unknown). What the
 * review shows once they are sent: the section with the comment's link, or, when a write failed,
 * a warning that says which.
 */
function queueGates(
  input: GateSectionInput,
  target: RepoRef & { repository: string; pullRequest: string },
  pr: PullInfo,
  loaded: LoadedState,
  write: GatesWrite,
): Promise<{ sections: GateSections; failed?: boolean }> {
  const { context, writes } = input;
  const octokit = context.octokit;
  const repo: RepoRef = { owner: target.owner, repo: target.repo };
  const sticky = queueStickyComment(octokit, writes!, { ...repo, pr: pr.number, pullRequestId: target.pullRequest }, loaded.sticky, write.body);
  const detailsUrl = loaded.sticky?.html_url ?? pr.htmlUrl;
  const check = queueGatesCheck(octokit, writes!, { ...repo, repositoryId: target.repository }, pr.headSha, { ...write.check, detailsUrl }, loaded.check, write.seq);
  return Promise.allSettled([sticky, check]).then(async ([comment, run]) => {
    if (comment.status === "fulfilled" && run.status === "fulfilled") return { sections: { gates: renderGatesSection(write.summary, comment.value.html_url) } };
    const failure = comment.status === "rejected" ? comment.reason : (run as PromiseRejectedResult).reason;
    context.log.error(`gates: could not update the quality gates for #${pr.number}: ${describeFailure(failure)}`);
    // The run records the state's sequence number; ahead of the comment's, the next event would
    // take the comment for a replayed old one and clear its sign-offs. Put it back.
    if (comment.status === "rejected" && run.status === "fulfilled") {
      await octokit.rest.checks
        .update({ ...repo, check_run_id: run.value, external_id: gatesExternalId(loaded.check.seq ?? loaded.state.seq) })
        .catch((error: unknown) => context.log.error(`gates: could not restore the gates run's sequence number: ${describeFailure(error)}`));
    }
    const refused = [comment.status === "rejected" && "the quality-gates comment", run.status === "rejected" && "the `migration-guard/gates` check run"];
    return { sections: { gates: gatesNotUpdated(`: GitHub refused ${refused.filter(Boolean).join(" and ")}.`) }, failed: true };
  });
}

/** On `synchronize`: a push that changed migration files clears the sign-offs (when configured). */
async function resetOnPush(context: Context, octokit: GitHub, repo: RepoRef, config: Config, state: GateState, now: string): Promise<GateState> {
  const payload = context.payload as { action?: string; before?: string; after?: string; sender?: { login: string } };
  if (context.name !== "pull_request" || payload.action !== "synchronize" || !payload.before || !payload.after) return state;
  const key = `push:${payload.after}`;
  if (wasProcessed(state, key)) return state;
  let next = markProcessed(state, key);
  if (!config.gates.reset_on_push || !state.signoffs.length) return next;
  const files = await filesChangedBetween(octokit, repo, payload.before, payload.after);
  const changed = files === undefined ? true : selectMigrationFiles(files, config).length > 0;
  if (changed) {
    const why = files === undefined ? `push ${payload.after.slice(0, 7)} replaced history that can no longer be compared` : `push ${payload.after.slice(0, 7)} changed migration files`;
    next = resetSignoffs(next, { at: now, by: payload.sender?.login ?? "unknown", reason: why });
    context.log.info(`gates: ${why}; sign-offs reset`);
  }
  return next;
}

/**
 * The commits that change migrations are checked. A PR's only commit, with one parent, changes
 * exactly the PR's files (its parent is the merge base), so the file listing the review already
 * has answers for it; other commits cost one call each.
 */
async function checkCommits(
  octokit: GitHub,
  repo: RepoRef,
  pr: PullInfo,
  config: Config,
  context: Parameters<typeof checkCommitFormat>[2],
  known: Pick<GateSectionInput, "snapshot" | "files"> & { merge?: MergeSettings },
): Promise<CommitFormatResult> {
  const mode = messagesToCheck(config.commit_format, known.merge);
  const inputs: CommitInput[] = [];
  if (mode === "pull_request" || mode === "both") inputs.push({ source: "pull_request", message: `${pr.title}\n\n${pr.body}` });
  if (mode === "commits" || mode === "both") {
    const all = known.snapshot?.gates.commits ?? (await listPullCommits(octokit, repo, pr.number));
    const commits = all.filter((c) => !/^Merge (branch|pull request|remote-tracking)/.test(c.message));
    for (const commit of commits.slice(-MAX_COMMITS_CHECKED)) {
      const files = (all.length === 1 && commit.parents === 1 && known.files) || (await commitFiles(octokit, repo, commit.sha));
      if (selectMigrationFiles(files, config).length) inputs.push({ sha: commit.sha, source: "commit", message: commit.message });
    }
  }
  return checkCommitFormat(inputs, config.commit_format, context);
}

/** The repository as the event describes it (pull_request events carry the merge settings). */
function repositoryOf(context: Context): Record<string, unknown> | undefined {
  const payload = context.payload as { repository?: Record<string, unknown>; pull_request?: { base?: { repo?: Record<string, unknown> } } };
  const repository = payload.repository;
  return repository && "allow_squash_merge" in repository ? repository : (payload.pull_request?.base?.repo ?? repository);
}

function headRefOf(context: Context): string | undefined {
  return (context.payload as { pull_request?: { head?: { ref?: string } } }).pull_request?.head?.ref;
}
