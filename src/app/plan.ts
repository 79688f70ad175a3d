// Pure decisions between "the engine's report" and "the requests sent to GitHub": which
// findings become inline comments (only lines inside the diff, never twice across pushes),
// which earlier threads are resolved, which reviews dismissed, and whether to post at all.
import { createHash } from "node:crypto";
import type { Finding } from "../core/model.js";
import { renderGroupedComment } from "../core/render/inline.js";
import { allFindings, type AnalysisReport } from "../core/report.js";
import { isCommentable, type Hunk } from "../github/diff-hunks.js";
import type { ReviewState } from "../github/marker.js";
import type { InlineComment, ReviewEvent } from "../github/reviews.js";
import type { OwnThread, PullRequestSnapshot } from "../github/state.js";

/** Beyond this many inline comments a review turns into noise; the rest go in the body. */
const MAX_INLINE_COMMENTS = 30;

export interface InlinePlan {
  comments: InlineComment[];
  /** Findings shown as inline comments, new or from earlier pushes (kept out of the body). */
  inlineFingerprints: Set<string>;
  /** Findings that could not be anchored on a line of the diff. */
  outsideDiff: Finding[];
  /** The app's open threads whose finding is gone. */
  threadsToResolve: string[];
}

export function planInlineComments(
  report: AnalysisReport,
  sources: Map<string, string>,
  hunks: Map<string, Hunk[]>,
  threads: OwnThread[],
  maxComments = MAX_INLINE_COMMENTS,
): InlinePlan {
  const findings = allFindings(report);
  const current = new Set(findings.map((f) => f.fingerprint));
  const threadByFingerprint = new Map<string, OwnThread>();
  for (const t of threads) if (!threadByFingerprint.has(t.fingerprint) || !t.isResolved) threadByFingerprint.set(t.fingerprint, t);

  const comments: InlineComment[] = [];
  const inlineFingerprints = new Set<string>();
  const outsideDiff: Finding[] = [];
  // Findings on the same statement share one comment: one thread per line.
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (inlineFingerprints.has(finding.fingerprint)) continue;
    const earlier = threadByFingerprint.get(finding.fingerprint);
    if (earlier) {
      // Already commented on an earlier push: never repeated. A thread that is still open and
      // current speaks for itself; a resolved or outdated one is listed in the body again.
      if (!earlier.isResolved && !earlier.isOutdated) inlineFingerprints.add(finding.fingerprint);
      continue;
    }
    const key = `${finding.span.file}\u0000${finding.span.startLine}`;
    const group = groups.get(key) ?? [];
    if (!group.some((f) => f.fingerprint === finding.fingerprint)) group.push(finding);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    const file = group[0]!.span.file;
    const fileHunks = hunks.get(file);
    const source = sources.get(file);
    const fits = (c: InlineComment) => fileHunks !== undefined && isCommentable(fileHunks, c.line, c.startLine);
    let comment = renderGroupedComment(group, source);
    // The suggestion's lines are outside the diff but the statement's first line is not.
    if (!fits(comment)) comment = renderGroupedComment(group, source, { suggestion: false });
    if (comments.length < maxComments && fits(comment)) {
      comments.push(comment);
      for (const f of group) inlineFingerprints.add(f.fingerprint);
    } else {
      outsideDiff.push(...group);
    }
  }
  // A thread may speak for several findings: it is resolved once none of them is current.
  const alive = new Set(threads.filter((t) => current.has(t.fingerprint)).map((t) => t.id));
  const threadsToResolve = [...new Set(threads.filter((t) => !t.isResolved && !alive.has(t.id)).map((t) => t.id))];
  return { comments, inlineFingerprints, outsideDiff, threadsToResolve };
}

export function reviewEvent(report: AnalysisReport): ReviewEvent {
  return report.summary.failed ? "REQUEST_CHANGES" : "COMMENT";
}

/** The app's request-changes reviews to dismiss: all of them once the change no longer fails. */
export function reviewsToDismiss(snapshot: PullRequestSnapshot, failed: boolean): string[] {
  return failed ? [] : snapshot.requestingChanges;
}

export function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/**
 * A new review is only worth a notification when something changed: another body, another
 * verdict, new inline comments, or the previous review was marked outdated.
 */
export function isRepeatOfLatest(latest: ReviewState | undefined, next: { hash: string; failed: boolean; newComments: number }): boolean {
  return latest !== undefined && latest.migrations && latest.hash === next.hash && latest.failed === next.failed && next.newComments === 0;
}
