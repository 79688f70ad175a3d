// Reviewing one pull request at one head commit. Reads like the recipe:
//   1. read the config, the PR's state (GraphQL) and its files, in parallel
//   2. stop when the PR moved on (newer head), is closed, or this head was already handled
//   3. invalid config → action_required check run; skipped draft → skipped check run
//   4. no migrations changed → say so (check run, earlier review marked outdated, threads resolved)
//   5. read the base tree and the changed migrations' content, run the engine
//   6. publish the check run (with the gates' writes: one GraphQL request), then one review
//      (inline comments only on diff lines, never twice), then resolve vanished findings'
//      threads and dismiss request-changes reviews when fixed
// Any failure leaves a check run that says which step failed.
import type { Context } from "probot";
import { analyzeChange } from "../core/analyze/engine.js";
import type { Rule } from "../core/analyze/rule.js";
import type { ConfigProblem } from "../core/config/load.js";
import type { Config } from "../core/config/schema.js";
import { selectMigrationFiles } from "../core/discover/index.js";
import { loadParsers } from "../core/parse/index.js";
import { checkConclusion, renderCheckRunOutput } from "../core/render/check-run.js";
import { MAX_BODY_LENGTH, renderReviewBody } from "../core/render/markdown.js";
import { loadRules } from "../../rules/index.js";
import type { BaseTree, ContextCaches } from "./context-cache.js";
import { listPullRequestFiles, MAX_LISTED_FILES, readBaseTree, readPullRequestChange, type PullRequestRef } from "../github/change.js";
import { publishCheckRun, queueCheckRun, reportCheckRunFailure, updateCheckRunOutput } from "../github/checks.js";
import { CONFIG_PATH, loadRepoConfig } from "../github/config.js";
import { loadRepoStatistics } from "../github/stats.js";
import { findingFingerprintsOf, formatReviewState, stripReviewState, type RunKey, type RunOutcome } from "../github/marker.js";
import { httpStatus, prepareOctokit, type GitHub } from "../github/octokit.js";
import { createReview, resolveThreadsAndDismissReviews, updateReviewBody, type InlineComment } from "../github/reviews.js";
import type { PullRequestFile } from "../github/schemas.js";
import { readPullRequestSnapshot, type PullRequestSnapshot } from "../github/state.js";
import { WriteBatch } from "../github/write-batch.js";
import { digest, isRepeatOfLatest, planInlineComments, reviewEvent, reviewsToDismiss } from "./plan.js";
import { collectSections, type ReviewSections } from "./sections.js";

export interface PullRequestTarget extends PullRequestRef {
  /** `changed_files` from the payload: tells when GitHub's 3,000-file listing cap was hit. */
  changedFiles?: number;
  htmlUrl: string;
  repoHtmlUrl: string;
  defaultBranch: string;
}

export interface ReviewOptions {
  /** Analyze even when this head and base were handled already (the check run's "Re-run"). */
  force?: boolean;
  /** Sections computed by the caller (e.g. test evidence from a workflow run). */
  sections?: Partial<ReviewSections>;
  /** Merged migrations' text and parses kept across deliveries (the long-running App has one). */
  caches?: ContextCaches;
}

export type ReviewOutcome =
  | "closed"
  | "superseded"
  | "already-done"
  | "config-error"
  | "draft"
  | "no-migrations"
  | "reviewed"
  | "unchanged"
  | "failed";

/** What the handlers call to review: `reviewPullRequest`, guarded by the review locks (src/app/index.ts). */
export type Review = (context: Context, target: PullRequestTarget, options?: ReviewOptions) => Promise<ReviewOutcome>;

/** Room kept at the end of the body for the state marker. */
const MARKER_ROOM = 400;

let engine: Promise<Rule[]> | undefined;
function loadEngine(): Promise<Rule[]> {
  engine ??= Promise.all([loadRules(), loadParsers()]).then(([rules]) => rules);
  return engine;
}

export async function reviewPullRequest(context: Context, target: PullRequestTarget, options: ReviewOptions = {}): Promise<ReviewOutcome> {
  const octokit = context.octokit;
  const calls = prepareOctokit(octokit, context.log);
  const key = (outcome: RunOutcome): RunKey => ({ pr: target.number, base: target.baseRef, outcome });
  const where = `${target.owner}/${target.repo}#${target.number} at ${target.headSha.slice(0, 7)}`;
  let step = "reading the configuration and the pull request";
  let checkRunId: number | undefined;
  // The delivery's independent writes, sent as one GraphQL request (src/github/write-batch.ts).
  const writes = new WriteBatch(octokit);
  try {
    const [config, snapshot, files] = await Promise.all([
      loadEngine().then((rules) => loadRepoConfig(context, { ruleIds: rules.map((r) => r.id) })),
      readPullRequestSnapshot(octokit, target),
      listPullRequestFiles(octokit, target),
    ]);
    if (!snapshot.isOpen) return done("closed", `${where}: pull request is closed, nothing to do`);
    if (snapshot.headSha !== target.headSha) {
      return done("superseded", `${where}: the pull request moved on to ${snapshot.headSha.slice(0, 7)}; this result would be stale, nothing posted`);
    }
    if (!options.force && alreadyHandled(snapshot, target)) return done("already-done", `${where}: already handled (re-delivery), nothing to do`);

    if (!config.ok) {
      step = "reporting the configuration problems";
      await reportInvalidFile(octokit, target, key("config-error"), {
        path: CONFIG_PATH,
        title: "Invalid configuration",
        problem: "is not valid, so no migration was analyzed.",
        problems: config.problems,
      });
      return done("config-error", `${where}: invalid configuration (${config.problems.length} problems), action_required check run posted`);
    }

    if (snapshot.isDraft && !config.config.review_drafts) {
      step = "reporting the skipped draft";
      await publishCheckRun(octokit, target, {
        conclusion: "skipped",
        key: key("draft"),
        output: {
          title: "Draft pull request: not analyzed",
          summary: "Drafts are not analyzed (`review_drafts: false`). The analysis runs when the pull request is marked ready for review.",
        },
      });
      return done("draft", `${where}: draft skipped by configuration`);
    }

    if (!touchesMigrationPaths(files, config.config)) {
      step = "reporting that no migration changed";
      await reportNoMigrations(octokit, target, snapshot, key("no-migrations"));
      return done("no-migrations", `${where}: no migration files changed`);
    }

    step = "reading the base branch, the table statistics and the changed migrations";
    const [base, statistics] = await Promise.all([
      baseTreeOf(octokit, target, options.caches),
      loadRepoStatistics(octokit, { owner: target.owner, repo: target.repo, ref: target.defaultBranch }, config.config),
    ]);
    if (!statistics.ok) {
      step = "reporting the statistics file's problems";
      await reportInvalidFile(octokit, target, key("config-error"), {
        path: statistics.file,
        title: "Invalid statistics file",
        problem: "is named by `stats_file` but is not a valid statistics file, so no migration was analyzed: the risk of each lock depends on these numbers. Regenerate it with the query `migration-guard stats-query` prints.",
        problems: statistics.problems,
      });
      return done("config-error", `${where}: invalid statistics file (${statistics.problems.length} problems), action_required check run posted`);
    }
    const change = await readPullRequestChange(octokit, target, config.config, { files, base, totalFiles: target.changedFiles }, { blobs: options.caches?.blobs });
    if (!change.changedPaths.length) {
      step = "reporting that no migration changed";
      await reportNoMigrations(octokit, target, snapshot, key("no-migrations"));
      return done("no-migrations", `${where}: no migration changed`);
    }

    step = "analyzing the migrations";
    const report = analyzeChange(change.input, statistics.config, await loadEngine(), { stats: statistics.stats, parseCache: options.caches?.parses, stateCache: options.caches?.states });
    const collected = await collectSections(
      { context, report, config: statistics.config, pullRequest: target, sources: change.sources, snapshot, files: completeListing(files, target), writes },
      options.sections,
    );
    const plan = planInlineComments(report, change.sources, change.hunks, snapshot.threads);

    step = "publishing the check run";
    const renderOutput = (sections: ReviewSections) =>
      renderCheckRunOutput(report, { sources: change.sources, notes: change.notes, sections, detailsUrl: target.htmlUrl });
    // A re-run or new evidence updates the head's run instead of adding one.
    const own = options.force ? snapshot.checkRuns.filter((r) => r.id !== null && r.key?.pr === target.number && r.key.outcome === "done").at(-1) : undefined;
    const existing = own ? { id: own.id!, nodeId: own.nodeId } : undefined;
    const run = { conclusion: checkConclusion(report), key: key("done"), output: renderOutput(collected.sections), existing };
    // With the gates' writes queued, the check run joins them: one request for the three.
    const queued = writes.size ? queueCheckRun(octokit, writes, { ...target, repositoryId: snapshot.nodeIds.repository }, run) : undefined;
    await writes.flush();
    const checkRun = queued ? await queued : await publishCheckRun(octokit, target, run);
    checkRunId = checkRun.id;
    const settled = await collected.settle();
    // A queued write failed (the gates): the check run went out with the sections as planned.
    if (settled.failed) await updateCheckRunOutput(octokit, target, checkRun.id, renderOutput(settled.sections));
    const sections = settled.sections;

    step = "posting the review";
    const render = (inline: Set<string>) =>
      renderReviewBody(report, {
        sources: change.sources,
        sections,
        notes: change.notes,
        maxLength: MAX_BODY_LENGTH - MARKER_ROOM,
        checkRunUrl: checkRun.htmlUrl,
        inlineFindingFingerprints: inline,
      });
    const body = render(plan.inlineFingerprints);
    const failed = report.summary.failed;
    const hash = digest(body);
    let posted = false;
    const latest = snapshot.latestReview;
    if (!isRepeatOfLatest(latest?.marker, { hash, failed, newComments: plan.comments.length })) {
      const marker = formatReviewState({ v: 1, head: target.headSha, base: target.baseRef, hash, failed, migrations: true });
      const sameHead = latest && latest.id !== null && latest.marker.head === target.headSha && latest.marker.migrations && latest.marker.failed === failed;
      if (sameHead && !plan.comments.length) {
        // One review per head commit: sign-offs, test evidence and re-runs edit it (no new notification).
        step = "updating the review";
        await updateReviewBody(octokit, target, latest.id!, `${body}\n\n${marker}`);
      } else {
        await postReview(context, target, { body, marker, comments: plan.comments, event: reviewEvent(report), rerender: render, inline: plan.inlineFingerprints });
      }
      posted = true;
    }

    step = "resolving fixed findings' threads";
    await resolveThreadsAndDismissReviews(octokit, {
      threadIds: plan.threadsToResolve,
      reviewIds: reviewsToDismiss(snapshot, failed),
      dismissMessage: `Fixed in ${target.headSha.slice(0, 7)}: no finding reaches the fail level any more.`,
    });
    const summary = `${report.summary.migrations} migrations, ${report.summary.counts.error} errors, ${report.summary.counts.warning} warnings; ${plan.comments.length} new inline comments, ${plan.outsideDiff.length} findings outside the diff, ${plan.threadsToResolve.length} threads resolved`;
    return done(posted ? "reviewed" : "unchanged", `${where}: ${posted ? reviewEvent(report) : "review unchanged, not re-posted"}; ${summary}`);
  } catch (error) {
    const message = describeError(error);
    context.log.error(`${where}: failed while ${step}: ${message}`);
    // Writes already queued (the gates) stand on their own: send them anyway.
    await writes.flush();
    try {
      await reportCheckRunFailure(octokit, target, checkRunId, {
        title: `migration-guard could not finish: ${step}`,
        summary: [
          `migration-guard failed while ${step}:`,
          "",
          "```",
          message,
          "```",
          "",
          "Use **Re-run** on this check to try again. If it keeps failing, the app's logs have the details.",
        ].join("\n"),
        key: key("failed"),
      });
    } catch (reportError) {
      context.log.error(`${where}: could not report the failure in a check run either: ${describeError(reportError)}`);
    }
    return "failed";
  }

  function done(outcome: ReviewOutcome, message: string): ReviewOutcome {
    context.log.info({ outcome, apiCalls: calls.count }, message);
    return outcome;
  }
}

/** An action_required check run listing each problem of a file read from the default branch. */
async function reportInvalidFile(
  octokit: GitHub,
  target: PullRequestTarget,
  key: RunKey,
  file: { path: string; title: string; problem: string; problems: ConfigProblem[] },
): Promise<void> {
  const count = `${file.problems.length} problem${file.problems.length === 1 ? "" : "s"}`;
  const list = file.problems.map((p) => `- \`${p.path || "(file)"}\`${p.line ? ` (line ${p.line})` : ""}: ${p.message}`);
  await publishCheckRun(octokit, target, {
    conclusion: "action_required",
    key,
    detailsUrl: `${target.repoHtmlUrl}/blob/${target.defaultBranch}/${file.path}`,
    output: {
      title: `${file.title}: ${count}`,
      summary: [
        `\`${file.path}\` (default branch \`${target.defaultBranch}\`) ${file.problem}`,
        "",
        ...list,
        "",
        "Fix the file on the default branch, then re-run this check.",
      ].join("\n"),
    },
  });
}

/** Re-deliveries and repeated events for a head that already has a result change nothing. */
function alreadyHandled(snapshot: PullRequestSnapshot, target: PullRequestTarget): boolean {
  return snapshot.checkRuns.some((run) => {
    if (!run.key || run.key.pr !== target.number || run.key.base !== target.baseRef) return false;
    if (run.key.outcome === "failed") return false;
    // A draft that became ready for review must be analyzed now.
    if (run.key.outcome === "draft") return snapshot.isDraft;
    return true;
  });
}

/** The PR's changed paths, when GitHub's listing holds all of them (it stops at 3,000). */
function completeListing(files: PullRequestFile[], target: PullRequestTarget): { path: string }[] | undefined {
  const complete = target.changedFiles === undefined ? files.length < MAX_LISTED_FILES : files.length >= target.changedFiles;
  return complete ? files.map((f) => ({ path: f.filename })) : undefined;
}

/** Cheap first look: does any listed file (or a renamed file's old path) match the migration paths? */
function touchesMigrationPaths(files: PullRequestFile[], config: Config): boolean {
  const paths = files.flatMap((f) => [f.filename, f.previous_filename].filter((p): p is string => Boolean(p)));
  return selectMigrationFiles(paths.map((path) => ({ path })), config).length > 0;
}

async function reportNoMigrations(octokit: GitHub, target: PullRequestTarget, snapshot: PullRequestSnapshot, key: RunKey): Promise<void> {
  const earlier = snapshot.latestReview;
  const stillCurrent = earlier?.marker.migrations === true;
  await publishCheckRun(octokit, target, {
    conclusion: "success",
    key,
    output: {
      title: stillCurrent ? "No migration changes any more" : "No migration changes",
      summary: stillCurrent
        ? `This pull request no longer changes migration files (as of ${target.headSha.slice(0, 7)}). The earlier migration-guard review, for ${earlier!.marker.head.slice(0, 7)}, no longer applies.`
        : "This pull request changes no migration files, so there is nothing to analyze.",
    },
  });
  if (!earlier || !stillCurrent) return;
  if (earlier.id !== null) {
    const note = `> **Outdated:** as of ${target.headSha.slice(0, 7)} this pull request no longer changes migration files; the findings below no longer apply.\n\n`;
    const marker = formatReviewState({ ...earlier.marker, migrations: false, head: target.headSha });
    const old = stripReviewState(earlier.body);
    const body = `${note}${old}`.slice(0, MAX_BODY_LENGTH - MARKER_ROOM);
    await updateReviewBody(octokit, target, earlier.id, `${body}\n\n${marker}`);
  }
  await resolveThreadsAndDismissReviews(octokit, {
    threadIds: snapshot.threads.filter((t) => !t.isResolved).map((t) => t.id),
    reviewIds: snapshot.requestingChanges,
    dismissMessage: `As of ${target.headSha.slice(0, 7)} this pull request no longer changes migrations.`,
  });
}

/**
 * Posts the review. GitHub rejects the whole review (422) when one comment does not fit the
 * diff; comments are checked against the hunks first, but if GitHub still says no, the review
 * is posted again without inline comments, every finding listed in the body.
 */
async function postReview(
  context: Context,
  target: PullRequestTarget,
  review: {
    body: string;
    marker: string;
    comments: InlineComment[];
    event: "COMMENT" | "REQUEST_CHANGES";
    rerender: (inline: Set<string>) => string;
    inline: Set<string>;
  },
): Promise<void> {
  try {
    await createReview(context.octokit, target, { body: `${review.body}\n\n${review.marker}`, event: review.event, comments: review.comments });
  } catch (error) {
    if (httpStatus(error) !== 422 || !review.comments.length) throw error;
    context.log.warn(`GitHub refused the inline comments (${describeError(error)}); posting the review with every finding in the body`);
    const posted = new Set(review.comments.flatMap((c) => findingFingerprintsOf(c.body)));
    const inline = new Set([...review.inline].filter((fp) => !posted.has(fp)));
    await createReview(context.octokit, target, { body: `${review.rerender(inline)}\n\n${review.marker}`, event: review.event, comments: [] });
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = httpStatus(error);
  // Octokit's messages name the request but never the token; keep them short.
  return `${status ? `HTTP ${status}: ` : ""}${error.message.split("\n")[0]}`;
}

/** The base commit's tree, read once per commit: later deliveries on the same base skip the listing. */
async function baseTreeOf(octokit: GitHub, target: PullRequestRef, caches: ContextCaches | undefined): Promise<BaseTree> {
  const key = `${target.owner}/${target.repo}\u0000${target.baseSha}`;
  const known = caches?.trees.get(key);
  // Fresh entry objects: a delivery may attach content to what it reads.
  if (known) return { files: known.files.map((f) => ({ ...f })), truncated: known.truncated };
  const tree = await readBaseTree(octokit, target);
  caches?.trees.set(key, { files: tree.files.map((f) => ({ ...f })), truncated: tree.truncated });
  return tree;
}
